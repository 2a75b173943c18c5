package handlers

import (
	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// Request bodies are bounded per route. fasthttp reads a body (up to MaxBodyBytes)
// before any route runs; the limits below refuse it before anything parses it, so a
// 20 MB body sent to the login costs a buffer, never a 20 MB JSON decode.
const (
	// maxSmallBody: a login or a logout, a few hundred bytes.
	maxSmallBody = 4 << 10
	// maxBody: any other form or JSON body.
	maxBody = 64 << 10
	// maxImageBody: a form or call carrying a VietQR photo.
	maxImageBody = maxImageBytes + 64<<10
)

// largeBodies are the routes that take more than maxBody, by exact path.
var largeBodies = map[string]int{
	"/api/v1/beneficiaries/import": MaxBodyBytes,
	"/can-bo/nhap-danh-sach":       MaxBodyBytes,
	"/api/v1/vietqr/decode":        maxImageBody,
	"/chat/anh":                    maxImageBody,
	"/webhooks/zalo":               256 << 10,
	"/g2p/mapper/sync/resolve":     1 << 20,
}

// limitBody refuses a body over its route's limit (maxBody unless the route is in
// largeBodies), and any compressed body: Fiber would inflate it in memory without
// bound (a few kilobytes of gzip make gigabytes), and no client of ours sends one.
func limitBody(c *fiber.Ctx) error {
	if ce := c.Request().Header.ContentEncoding(); len(ce) > 0 && string(ce) != "identity" {
		return ansinh.Errorf(ansinh.EBADREQUEST, ansinh.MsgCompressedBody)
	}
	limit, ok := largeBodies[c.Path()]
	if !ok && formPhotoPath(c.Path()) {
		limit, ok = maxImageBody, true
	}
	if !ok {
		limit = maxBody
	}
	if len(c.Request().Body()) > limit {
		return ansinh.Errorf(ansinh.ETOOLARGE, ansinh.MsgTooLarge)
	}
	return c.Next()
}

// smallBody is the tighter limit of the login routes, public and the first thing an
// attacker tries.
func smallBody(c *fiber.Ctx) error {
	if len(c.Request().Body()) > maxSmallBody {
		return ansinh.Errorf(ansinh.ETOOLARGE, ansinh.MsgTooLarge)
	}
	return c.Next()
}
