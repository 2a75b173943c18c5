package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"ansinh"
	"ansinh/handlers/openapi"
)

// routes lists every route, grouped by who may call it.
func (h *Handler) routes(app *fiber.App, static fiber.Handler) {
	app.Use(h.observe)
	app.Use(h.secureHeaders)
	app.Use(limitHeaders)
	app.Use(limitBody)
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: h.logPanic}))
	app.Use(withTimeout)
	// Slow mobile data: every text answer is compressed.
	app.Use(compress.New(compress.Config{Level: compress.LevelDefault}))

	// Anyone, no session.
	app.Get("/healthz", h.Healthz)
	app.Get("/readyz", h.Readyz)
	app.Get("/metrics", h.Metrics())
	app.Use("/static", static)
	app.Get("/", h.Landing)
	app.Get("/qr/communes/:file", h.CommuneQR)
	app.Get("/dang-nhap", h.LoginPage)
	app.Post("/dang-nhap", smallBody, h.checkCSRF, h.LoginForm)

	// The registration form and its API: public, rate-limited per address, the form
	// also protected against cross-site posts. The status and receipt pages look
	// receipts up: limited too, so that nobody walks through receipt codes.
	public := h.publicLimit()
	csrf := h.checkCSRF
	app.Get("/tra-cuu", public, h.StatusPage)
	app.Get("/bien-nhan/:receipt", public, h.ReceiptPage)
	app.Get("/c/:code", public, h.CommuneForm)
	app.Post("/c/:code", public, csrf, h.CommuneIdentity)
	app.Get("/r/:token", public, h.TokenForm)
	app.Post("/r/:token", public, csrf, h.TokenIdentity)
	app.Post("/dang-ky/chi-tiet", public, csrf, h.Details)
	app.Post("/dang-ky/sua", public, csrf, h.Revise)
	app.Post("/dang-ky/xac-nhan", public, csrf, h.Confirm)
	app.Get("/chat", public, h.ChatPage)
	app.Post("/chat", public, csrf, h.ChatPost)

	// Zalo's servers.
	app.Post("/webhooks/zalo", h.ZaloWebhook)

	api := app.Group("/api/v1")
	api.Post("/auth/login", smallBody, h.LoginAPI)
	api.Get("/openapi.json", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(openapi.Document)
	})
	api.Post("/registrations", public, h.SubmitRegistration)
	api.Post("/vietqr/decode", public, h.DecodeVietQR)

	// Staff with a bearer token. The check is on each route, not on the group, so that
	// an unknown path stays a 404 rather than a 401.
	token := h.requireToken
	api.Post("/auth/logout", token, h.LogoutAPI)
	api.Get("/me", token, h.Me)
	api.Get("/units", token, h.UnitTree)
	api.Get("/unit-sets", token, h.UnitSets)
	api.Get("/users", token, h.ListUsers)
	api.Post("/users", token, h.CreateUser)
	api.Post("/beneficiaries/import", token, h.ImportBeneficiaries)
	api.Get("/beneficiaries/template.xlsx", token, h.ImportTemplate)
	api.Get("/beneficiaries/export.csv", token, h.ExportBeneficiaries)
	api.Get("/beneficiaries", token, h.ListBeneficiaries)
	api.Get("/beneficiaries/:id", token, h.GetBeneficiary)
	api.Post("/beneficiaries/:id/reveal", token, h.RevealBeneficiary)
	api.Post("/beneficiaries/:id/identity", token, h.SetIdentity)
	api.Post("/beneficiaries/:id/eligibility", token, h.SetEligibility)
	api.Post("/beneficiaries/:id/commune", token, h.ChooseCommune)
	api.Get("/imports/:id/errors.csv", token, h.ImportErrorsCSV)
	api.Post("/beneficiaries/:id/qr", token, h.BeneficiaryQR)
	api.Get("/beneficiaries/:id/qr", token, h.BeneficiaryQR) // deprecated: kept for scripts (SPEC §5); bearer only, so no page can trigger it
	api.Get("/beneficiaries/:id/history", token, h.BeneficiaryHistory)
	api.Post("/beneficiaries/:id/registrations", token, h.AssistedRegistration)
	api.Get("/registrations", token, h.ListRegistrations)
	api.Get("/registrations/backlog", token, h.RegistrationBacklog)
	api.Post("/registrations/verify", token, h.VerifyBulk)
	api.Get("/registrations/:id/review", token, h.ReviewRegistration)
	api.Post("/registrations/:id/verify", token, h.VerifyRegistration)
	api.Post("/registrations/:id/reject", token, h.RejectRegistration)
	api.Get("/coverage", token, h.CoverageAPI)
	api.Get("/reports/monthly", token, h.MonthlyReport)
	api.Post("/reports/monthly/submit", token, h.SubmitMonthlyReport)
	api.Get("/payments", token, h.PaymentList)

	api.Post("/api-clients", token, h.CreateAPIClient)

	// Payment systems, with a token an admin issued.
	app.Post("/g2p/mapper/sync/resolve", h.requireClient, h.Resolve)

	// Public again, after the staff routes whose fixed paths it would otherwise shadow.
	api.Get("/registrations/:receipt", public, h.RegistrationStatus)
	api.Post("/qr/:token/revoke", token, h.RevokeQR)

	// Staff pages with a session cookie; every post also carries the CSRF token.
	staff := app.Group("/can-bo", h.requireCookie, h.checkStaffCSRF)
	staff.Get("/", h.StaffHome)
	staff.Get("/doi-tuong", h.BeneficiariesPage)
	staff.Get("/doi-tuong/xuat.csv", h.ExportBeneficiaries)
	staff.Get("/doi-tuong/:id", h.BeneficiaryPage)
	staff.Post("/doi-tuong/:id/hien-so", h.RevealForm)
	staff.Post("/doi-tuong/:id/doi-chieu", h.IdentityForm)
	staff.Post("/doi-tuong/:id/dieu-kien", h.EligibilityForm)
	staff.Get("/can-chon-xa", h.WaitingPage)
	staff.Post("/can-chon-xa/:id", h.ChooseCommuneForm)
	staff.Get("/tong-quan", h.DashboardPage)
	staff.Get("/tong-quan/bao-cao", h.MonthlyReport)
	staff.Get("/chi-tra", h.PaymentList)
	staff.Post("/tong-quan/gui-bao-cao", h.SubmitReportForm)
	staff.Get("/duyet", h.QueuePage)
	staff.Post("/duyet/xac-nhan-nhieu", h.BulkVerifyForm)
	staff.Get("/duyet/:id", h.ReviewPage)
	staff.Post("/duyet/:id/xac-nhan", h.VerifyForm)
	staff.Post("/duyet/:id/tu-choi", h.RejectForm)
	staff.Get("/doi-tuong/:id/dang-ky-ho", h.AssistedPage)
	staff.Post("/doi-tuong/:id/dang-ky-ho", h.AssistedForm)
	staff.Get("/qr/:code", h.PosterPage)
	staff.Get("/qr/:code/giay-bao", h.CardsConfirmPage)
	staff.Post("/qr/:code/giay-bao", h.CardsPage) // mints codes: a post, never a link
	staff.Get("/nhap-danh-sach", h.ImportPage)
	staff.Post("/nhap-danh-sach", h.ImportForm)
	staff.Get("/nhap-danh-sach/mau.xlsx", h.ImportTemplate)
	staff.Get("/nhap-danh-sach/:id/loi.csv", h.ImportErrorsCSV)
	app.Post("/dang-xuat", smallBody, h.requireCookie, h.checkCSRF, h.LogoutForm)

	// Anything else is Fiber's 404, or 405 for a path known under another method; the
	// ErrorHandler answers JSON under /api and a page elsewhere.
}

func withTimeout(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// publicLimit bounds the requests one address makes to the public endpoints.
func (h *Handler) publicLimit() fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        h.cfg.PublicRateLimit,
		Expiration: time.Minute,
		Storage:    h.rates,
		KeyGenerator: func(c *fiber.Ctx) string {
			return h.clientIP(c)
		},
		LimitReached: func(*fiber.Ctx) error {
			return ansinh.Errorf(ansinh.ERATELIMIT, ansinh.MsgTooManyRequests)
		},
	})
}
