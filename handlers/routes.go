package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"ansinh"
	"ansinh/handlers/openapi"
	"ansinh/ratelimit"
)

// routes lists every route, grouped by who may call it.
func (h *Handler) routes(app *fiber.App) {
	app.Use(h.observe)
	app.Use(h.secureHeaders)
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: h.logPanic}))
	app.Use(withTimeout)
	// Slow mobile data: every text answer is compressed.
	app.Use(compress.New(compress.Config{Level: compress.LevelDefault}))

	// Anyone, no session.
	app.Get("/healthz", h.Healthz)
	app.Get("/readyz", h.Readyz)
	app.Get("/metrics", h.Metrics())
	app.Use("/static", staticFiles())
	app.Get("/", h.Landing)
	app.Get("/tra-cuu", h.StatusPage)
	app.Get("/bien-nhan/:receipt", h.ReceiptPage)
	app.Get("/qr/communes/:file", h.CommuneQR)
	app.Get("/dang-nhap", h.LoginPage)
	app.Post("/dang-nhap", h.checkCSRF, h.LoginForm)

	// The registration form and its API: public, rate-limited per address, the form
	// also protected against cross-site posts.
	public := h.publicLimit()
	csrf := h.checkCSRF
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
	api.Post("/auth/login", h.LoginAPI)
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
	api.Post("/me/password", token, h.ChangeOwnPassword)
	api.Get("/me/logins", token, h.MyLogins)
	api.Get("/units", token, h.UnitTree)
	api.Get("/unit-sets", token, h.UnitSets)
	api.Get("/users", token, h.ListUsers)
	api.Post("/users", token, h.CreateUser)
	api.Post("/users/:username/disable", token, h.DisableUser)
	api.Post("/users/:username/enable", token, h.EnableUser)
	api.Post("/users/:username/reset-password", token, h.ResetUserPassword)
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
	api.Get("/beneficiaries/:id/qr", token, h.BeneficiaryQR)
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

	api.Get("/api-clients", token, h.ListAPIClients)
	api.Post("/api-clients", token, h.CreateAPIClient)
	api.Post("/api-clients/:sender/pause", token, h.SetAPIClientStatus(ansinh.ClientPaused))
	api.Post("/api-clients/:sender/resume", token, h.SetAPIClientStatus(ansinh.ClientActive))
	api.Post("/api-clients/:sender/revoke", token, h.SetAPIClientStatus(ansinh.ClientRevoked))

	// Payment systems: the G2P Connect mapper, with a token an admin issued.
	client := h.requireClient
	app.Get("/g2p/mapper/keys", h.G2PKeys)
	app.Post("/g2p/mapper/sync/resolve", client, h.Resolve)
	app.Post("/g2p/mapper/resolve", client, h.ResolveAsync)
	for _, action := range []string{"link", "update", "unlink"} {
		app.Post("/g2p/mapper/sync/"+action, client, h.NotSupported(action, false))
		app.Post("/g2p/mapper/"+action, client, h.NotSupported(action, true))
	}

	// Public again, after the staff routes whose fixed paths it would otherwise shadow.
	api.Get("/registrations/:receipt", public, h.RegistrationStatus)
	api.Post("/qr/:token/revoke", token, h.RevokeQR)

	// Staff pages with a session cookie; every post also carries the CSRF token.
	staff := app.Group("/can-bo", h.requireCookie, h.checkStaffCSRF)
	staff.Get("/", h.StaffHome)
	staff.Get("/tai-khoan", h.AccountPage)
	staff.Get("/mat-khau", h.PasswordPage)
	staff.Post("/mat-khau", h.PasswordForm)
	staff.Get("/nguoi-dung", h.UsersPage)
	staff.Get("/nguoi-dung/moi", h.NewUserPage)
	staff.Post("/nguoi-dung/moi", h.NewUserForm)
	staff.Post("/nguoi-dung/:username/khoa", h.DisableUserForm)
	staff.Post("/nguoi-dung/:username/mo-khoa", h.EnableUserForm)
	staff.Post("/nguoi-dung/:username/dat-lai-mat-khau", h.ResetPasswordForm)
	staff.Get("/nguoi-dung/:username/mat-khau-mot-lan", h.OneTimePage)
	staff.Get("/nhat-ky", h.AuditPage)
	staff.Get("/nhat-ky/xuat.csv", h.AuditCSV)
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
	staff.Get("/bao-cao", h.ReportPage)
	staff.Post("/bao-cao/gui", h.SubmitReportForm)
	staff.Get("/duyet", h.QueuePage)
	staff.Post("/duyet/xac-nhan-nhieu", h.BulkVerifyForm)
	staff.Get("/duyet/:id", h.ReviewPage)
	staff.Post("/duyet/:id/xac-nhan", h.VerifyForm)
	staff.Post("/duyet/:id/tu-choi", h.RejectForm)
	staff.Post("/duyet/:id/hien-so", h.RevealReviewForm)
	staff.Get("/doi-tuong/:id/dang-ky-ho", h.AssistedPage)
	staff.Post("/doi-tuong/:id/dang-ky-ho", h.AssistedForm)
	staff.Get("/qr/:code", h.PosterPage)
	staff.Get("/qr/:code/giay-bao", h.CardsPage)
	staff.Get("/nhap-danh-sach", h.ImportPage)
	staff.Post("/nhap-danh-sach", h.ImportForm)
	staff.Get("/nhap-danh-sach/mau.xlsx", h.ImportTemplate)
	staff.Get("/nhap-danh-sach/:id/loi.csv", h.ImportErrorsCSV)
	staff.Get("/nhap-danh-sach/:id", h.ImportReportPage)
	app.Post("/dang-xuat", h.requireCookie, h.checkCSRF, h.LogoutForm)

	// Anything else under /api is a JSON 404 (the ErrorHandler decides the shape).
	app.All("/api/*", func(*fiber.Ctx) error { return fiber.ErrNotFound })
}

func withTimeout(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// publicLimit bounds the requests one address makes to the public endpoints, a
// minute at a time, counted in memory and shared between instances through the store
// (package ratelimit).
func (h *Handler) publicLimit() fiber.Handler {
	if h.cfg.PublicRateLimit <= 0 { // off: only benchmarks compare with it
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	l := ratelimit.New(h.cfg.PublicRateLimit, time.Minute, h.rates, nil)
	return func(c *fiber.Ctx) error {
		if ok, wait := l.Allow(c.UserContext(), c.IP()); !ok {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
			return ansinh.Errorf(ansinh.ERATELIMIT, ansinh.MsgTooManyRequests)
		}
		return c.Next()
	}
}
