package handlers

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
)

// routes lists every route, grouped by who may call it.
func (h *Handler) routes(app *fiber.App) {
	app.Use(h.observe)
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: h.logPanic}))
	app.Use(withTimeout)

	// Anyone, no session.
	app.Get("/healthz", h.Healthz)
	app.Get("/readyz", h.Readyz)
	app.Get("/metrics", h.Metrics())
	app.Use("/static", staticFiles())
	app.Get("/", h.Landing)
	app.Get("/dang-nhap", h.LoginPage)
	app.Post("/dang-nhap", h.LoginForm)

	api := app.Group("/api/v1")
	api.Post("/auth/login", h.LoginAPI)

	// Staff with a bearer token. The check is on each route, not on the group, so that
	// an unknown path stays a 404 rather than a 401.
	token := h.requireToken
	api.Post("/auth/logout", token, h.LogoutAPI)
	api.Get("/me", token, h.Me)
	api.Get("/units", token, h.UnitTree)
	api.Get("/users", token, h.ListUsers)
	api.Post("/users", token, h.CreateUser)

	// Staff pages with a session cookie.
	staff := app.Group("/can-bo", h.requireCookie)
	staff.Get("/", h.StaffHome)
	app.Post("/dang-xuat", h.requireCookie, h.LogoutForm)

	// Anything else under /api is a JSON 404 (the ErrorHandler decides the shape).
	app.All("/api/*", func(*fiber.Ctx) error { return fiber.ErrNotFound })
}

func withTimeout(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}
