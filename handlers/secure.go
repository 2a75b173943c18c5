package handlers

import (
	"net"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// contentSecurity allows only this site's own scripts, styles and images (plus the
// data: images of printed QR codes): no inline script anywhere, no third party.
const contentSecurity = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// secureHeaders sets the browser protections on every answer, and finds out once who
// sent the request (clientIP).
func (h *Handler) secureHeaders(c *fiber.Ctx) error {
	h.setSecureHeaders(c)
	h.clientIP(c)
	return c.Next()
}

// setSecureHeaders is also called by the ErrorHandler, which answers requests that
// never reached the middleware (a header too large, a request that does not parse).
func (h *Handler) setSecureHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", contentSecurity)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	// Personal codes and receipts travel in URLs: never tell another site about them.
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set("Permissions-Policy", "geolocation=(), microphone=(), camera=()")
	// Pages and answers carry personal, revealed or payment data: no cache keeps them
	// (a shared computer at the commune office, a proxy). Static files, the only
	// answers worth caching, set their own.
	c.Set(fiber.HeaderCacheControl, "no-store")
	if h.overHTTPS(c) {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
}

// MaxHeaderBytes bounds a request's header lines, cookies included.
const MaxHeaderBytes = 8 << 10

// limitHeaders answers 431 to a request whose headers are larger than MaxHeaderBytes.
// Larger than the read buffer, fasthttp refuses them before any route is known; the
// ErrorHandler then answers in JSON.
func limitHeaders(c *fiber.Ctx) error {
	if len(c.Request().Header.RawHeaders()) > MaxHeaderBytes {
		return fiber.ErrRequestHeaderFieldsTooLarge
	}
	return c.Next()
}

const localIP = "client-ip"

// clientIP is the address the request came from. Without trusted proxies it is the
// peer's. When the peer is a trusted proxy, X-Forwarded-For is read from the right:
// each proxy appends the address it saw, so the right-most address that is not itself
// a trusted proxy is the client; everything to its left was written by the client and
// proves nothing (Fiber's ProxyHeader takes the left-most, which anyone can set).
func (h *Handler) clientIP(c *fiber.Ctx) string {
	if ip, ok := c.Locals(localIP).(string); ok {
		return ip
	}
	ip := c.Context().RemoteIP()
	if h.trustedProxy(ip) {
		var hops []string
		for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
			hops = append(hops, strings.Split(string(v), ",")...)
		}
		for i := len(hops) - 1; i >= 0 && h.trustedProxy(ip); i-- {
			hop := parseHop(hops[i])
			if hop == nil {
				break // a hop no proxy of ours wrote: keep the last address we trust
			}
			ip = hop
		}
	}
	s := ip.String()
	c.Locals(localIP, s)
	return s
}

// parseHop reads one X-Forwarded-For entry: an address, maybe with a port.
func parseHop(s string) net.IP {
	s = strings.TrimSpace(s)
	if ip := net.ParseIP(s); ip != nil {
		return ip
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		return net.ParseIP(strings.Trim(host, "[]"))
	}
	return nil
}

// trustedProxy reports whether ip is one of ANSINH_TRUSTED_PROXIES (addresses or
// CIDR ranges).
func (h *Handler) trustedProxy(ip net.IP) bool {
	if ip == nil {
		return false
	}
	for _, n := range h.proxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// parseProxies turns the configured addresses and ranges into networks; the
// configuration was validated at start-up, anything else is skipped.
func parseProxies(list []string) []*net.IPNet {
	var out []*net.IPNet
	for _, p := range list {
		p = strings.TrimSpace(p)
		if !strings.Contains(p, "/") {
			ip := net.ParseIP(p)
			if ip == nil {
				continue
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		if _, n, err := net.ParseCIDR(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}
