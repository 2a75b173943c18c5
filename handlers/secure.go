package handlers

import (
	"github.com/gofiber/fiber/v2"
)

// contentSecurity allows only this site's own scripts, styles and images (plus the
// data: images of printed QR codes): no inline script anywhere, no third party.
const contentSecurity = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// secureHeaders sets the browser protections on every answer.
func (h *Handler) secureHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurity)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	// Personal codes and receipts travel in URLs: never tell another site about them.
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set("Permissions-Policy", "geolocation=(), microphone=(), camera=()")
	if h.overHTTPS(c) {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
	return c.Next()
}
