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
func (h *Handler) routes(app *fiber.App, static fiber.Handler) {
	app.Use(h.observe)
	app.Use(h.secureHeaders)
	app.Use(limitHeaders)
	app.Use(limitBody)
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: h.logPanic}))
	app.Use(withTimeout)
	// Slow mobile data: every text answer is compressed.
	app.Use(compress.New(compress.Config{Level: compress.LevelDefault}))
	app.Use(h.withContacts)

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
	app.Post("/tra-cuu", public, csrf, h.LookupCCCD)
	app.Get("/tra-cuu/ket-qua", public, h.LookupResult)
	app.Get("/bien-nhan/:receipt", public, h.ReceiptPage)
	app.Get("/c/:code", public, h.CommuneForm)
	app.Post("/c/:code", public, csrf, h.CommuneIdentity)
	app.Get("/r/:token", public, h.TokenForm)
	app.Post("/r/:token", public, csrf, h.TokenIdentity)
	app.Get("/dang-ky/:draft/:step", public, h.FormStep)
	app.Post("/dang-ky/:draft/:step", public, csrf, h.FormAnswer)
	app.Get("/tra-cuu/yeu-cau", public, h.RequestPage)
	app.Post("/tra-cuu/yeu-cau", public, csrf, h.RequestForm)
	app.Get("/tra-cuu/yeu-cau/:code", public, h.RequestStatus)
	app.Get("/chat", public, h.ChatPage)
	app.Post("/chat", public, csrf, h.ChatPost)
	app.Post("/chat/anh", public, csrf, h.ChatPhoto)

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
	api.Post("/me/password", token, h.ChangeOwnPassword)
	api.Get("/me/logins", token, h.MyLogins)
	api.Get("/units", token, h.UnitTree)
	api.Get("/unit-sets", token, h.UnitSets)
	api.Get("/users", token, h.ListUsers)
	api.Post("/users", token, h.may(ansinh.ActCreateUsers), h.CreateUser)
	api.Post("/users/:username/disable", token, h.may(ansinh.ActManageUsers), h.DisableUser)
	api.Post("/users/:username/enable", token, h.may(ansinh.ActManageUsers), h.EnableUser)
	api.Post("/users/:username/reset-password", token, h.may(ansinh.ActManageUsers), h.ResetUserPassword)
	api.Post("/beneficiaries/import", token, h.may(ansinh.ActImport), h.ImportBeneficiaries)
	api.Post("/payments/results", token, h.may(ansinh.ActImport), h.PaymentResults)
	api.Get("/beneficiaries/template.xlsx", token, h.may(ansinh.ActImport), h.ImportTemplate)
	api.Get("/beneficiaries/export.csv", token, h.may(ansinh.ActExport), h.ExportBeneficiaries)
	api.Get("/beneficiaries", token, h.may(ansinh.ActView), h.ListBeneficiaries)
	api.Get("/beneficiaries/:id", token, h.may(ansinh.ActView), h.GetBeneficiary)
	api.Post("/beneficiaries/:id/reveal", token, h.may(ansinh.ActReveal), h.RevealBeneficiary)
	api.Post("/beneficiaries/:id/reveal-cccd", token, h.may(ansinh.ActRevealCCCD), h.RevealCCCD)
	api.Post("/beneficiaries/:id/identity", token, h.may(ansinh.ActIdentity), h.SetIdentity)
	api.Post("/beneficiaries/:id/eligibility", token, h.may(ansinh.ActManage), h.SetEligibility)
	api.Post("/beneficiaries/:id/commune", token, h.may(ansinh.ActManage), h.ChooseCommune)
	api.Get("/imports/:id/errors.csv", token, h.may(ansinh.ActImport), h.ImportErrorsCSV)
	api.Get("/imports/:id", token, h.may(ansinh.ActImport), h.ImportProgress)
	api.Post("/beneficiaries/:id/qr", token, h.may(ansinh.ActIssueQR), h.BeneficiaryQR)
	api.Get("/beneficiaries/:id/qr", token, h.may(ansinh.ActIssueQR), h.BeneficiaryQR) // deprecated: kept for scripts (SPEC §5); bearer only, so no page can trigger it
	api.Get("/beneficiaries/:id/history", token, h.may(ansinh.ActViewSubmissions), h.BeneficiaryHistory)
	api.Post("/beneficiaries/:id/registrations", token, h.may(ansinh.ActAssist), h.AssistedRegistration)
	api.Get("/identity/export", token, h.may(ansinh.ActIdentityList), h.IdentityExport)
	api.Post("/identity/results", token, h.may(ansinh.ActIdentity), h.IdentityResults)
	api.Get("/registrations", token, h.may(ansinh.ActViewSubmissions), h.ListRegistrations)
	api.Get("/registrations/backlog", token, h.may(ansinh.ActProvinceBacklog), h.RegistrationBacklog)
	api.Post("/registrations/verify", token, h.may(ansinh.ActDecide), h.VerifyBulk)
	api.Get("/registrations/:id/review", token, h.may(ansinh.ActViewSubmissions), h.ReviewRegistration)
	api.Post("/registrations/:id/verify", token, h.may(ansinh.ActDecide), h.VerifyRegistration)
	api.Post("/registrations/:id/reject", token, h.may(ansinh.ActDecide), h.RejectRegistration)
	api.Get("/coverage", token, h.may(ansinh.ActCoverage), h.CoverageAPI)
	api.Get("/reports/monthly", token, h.may(ansinh.ActCoverage), h.MonthlyReport)
	api.Post("/reports/monthly/submit", token, h.may(ansinh.ActSubmitReport), h.SubmitMonthlyReport)
	api.Get("/payments", token, h.may(ansinh.ActPaymentList), h.PaymentList)
	api.Post("/notices/reminders", token, h.may(ansinh.ActRemind), h.Reminders)

	api.Get("/api-clients", token, h.may(ansinh.ActAPIClients), h.ListAPIClients)
	api.Post("/api-clients", token, h.may(ansinh.ActAPIClients), h.CreateAPIClient)
	api.Post("/api-clients/:sender/pause", token, h.may(ansinh.ActAPIClients), h.SetAPIClientStatus(ansinh.ClientPaused))
	api.Post("/api-clients/:sender/resume", token, h.may(ansinh.ActAPIClients), h.SetAPIClientStatus(ansinh.ClientActive))
	api.Post("/api-clients/:sender/revoke", token, h.may(ansinh.ActAPIClients), h.SetAPIClientStatus(ansinh.ClientRevoked))

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
	api.Post("/qr/:token/revoke", token, h.may(ansinh.ActIssueQR), h.RevokeQR)

	// Staff pages with a session cookie; every post also carries the CSRF token.
	staff := app.Group("/can-bo", h.requireCookie, h.checkStaffCSRF)
	staff.Get("/", h.StaffHome)
	staff.Get("/tai-khoan", h.AccountPage)
	staff.Get("/mat-khau", h.PasswordPage)
	staff.Post("/mat-khau", h.PasswordForm)
	staff.Get("/nguoi-dung", h.may(ansinh.ActManageUsers), h.UsersPage)
	staff.Get("/nguoi-dung/moi", h.may(ansinh.ActManageUsers), h.NewUserPage)
	staff.Post("/nguoi-dung/moi", h.may(ansinh.ActManageUsers), h.NewUserForm)
	staff.Post("/nguoi-dung/:username/khoa", h.may(ansinh.ActManageUsers), h.DisableUserForm)
	staff.Post("/nguoi-dung/:username/mo-khoa", h.may(ansinh.ActManageUsers), h.EnableUserForm)
	staff.Post("/nguoi-dung/:username/dat-lai-mat-khau", h.may(ansinh.ActManageUsers), h.ResetPasswordForm)
	staff.Get("/nguoi-dung/:username/mat-khau-mot-lan", h.may(ansinh.ActManageUsers), h.OneTimePage)
	staff.Get("/nhat-ky", h.may(ansinh.ActAudit), h.AuditPage)
	staff.Get("/nhat-ky/xuat.csv", h.may(ansinh.ActAudit), h.AuditCSV)
	staff.Get("/doi-tuong", h.may(ansinh.ActView), h.BeneficiariesPage)
	staff.Get("/doi-tuong/xuat.csv", h.may(ansinh.ActExport), h.ExportBeneficiaries)
	staff.Get("/doi-tuong/:id", h.may(ansinh.ActView), h.BeneficiaryPage)
	staff.Post("/doi-tuong/:id/hien-so", h.may(ansinh.ActReveal), h.RevealForm)
	staff.Post("/doi-tuong/:id/hien-cccd", h.may(ansinh.ActRevealCCCD), h.RevealCCCDForm)
	staff.Post("/doi-tuong/:id/doi-chieu", h.may(ansinh.ActIdentity), h.IdentityForm)
	staff.Post("/doi-tuong/:id/dieu-kien", h.may(ansinh.ActManage), h.EligibilityForm)
	staff.Get("/doi-chieu", h.may(ansinh.ActIdentityList), h.PoliceCheckPage)
	staff.Get("/doi-chieu/danh-sach", h.may(ansinh.ActIdentityList), h.IdentityExport)
	staff.Post("/doi-chieu/ket-qua", h.may(ansinh.ActIdentity), h.IdentityResultsForm)
	staff.Post("/doi-tuong/:id/yeu-cau", h.may(ansinh.ActPrivacyRequests), h.BeneficiaryRequestForm)
	staff.Get("/yeu-cau-du-lieu", h.may(ansinh.ActPrivacyRequests), h.RequestsPage)
	staff.Get("/yeu-cau-du-lieu/:id", h.may(ansinh.ActPrivacyRequests), h.RequestDetailPage)
	staff.Post("/yeu-cau-du-lieu/:id/tra-loi", h.may(ansinh.ActPrivacyRequests), h.AnswerRequestForm)
	staff.Get("/yeu-cau-du-lieu/:id/du-lieu", h.may(ansinh.ActPrivacyRequests), h.RequestDataPage)
	staff.Get("/vi-pham-du-lieu", h.may(ansinh.ActBreaches), h.BreachesPage)
	staff.Post("/vi-pham-du-lieu", h.may(ansinh.ActBreaches), h.RecordBreachForm)
	staff.Post("/vi-pham-du-lieu/:id/bao-cao", h.may(ansinh.ActBreaches), h.ReportBreachForm)
	staff.Post("/vi-pham-du-lieu/:id/dong", h.may(ansinh.ActBreaches), h.CloseBreachForm)
	staff.Get("/can-chon-xa", h.may(ansinh.ActView), h.WaitingPage)
	staff.Post("/can-chon-xa/:id", h.may(ansinh.ActManage), h.ChooseCommuneForm)
	staff.Get("/tong-quan", h.may(ansinh.ActCoverage), h.DashboardPage)
	staff.Get("/tong-quan/bao-cao", h.may(ansinh.ActCoverage), h.MonthlyReport)
	staff.Get("/chi-tra", h.may(ansinh.ActPaymentList), h.PaymentList)
	staff.Post("/tong-quan/gui-bao-cao", h.may(ansinh.ActSubmitReport), h.SubmitReportForm)
	staff.Get("/bao-cao", h.may(ansinh.ActCoverage), h.ReportPage)
	staff.Post("/bao-cao/gui", h.may(ansinh.ActSubmitReport), h.SubmitReportForm)
	staff.Get("/duyet", h.may(ansinh.ActViewSubmissions), h.QueuePage)
	staff.Post("/duyet/xac-nhan-nhieu", h.may(ansinh.ActDecide), h.BulkVerifyForm)
	staff.Get("/duyet/:id", h.may(ansinh.ActViewSubmissions), h.ReviewPage)
	staff.Post("/duyet/:id/xac-nhan", h.may(ansinh.ActDecide), h.VerifyForm)
	staff.Post("/duyet/:id/tu-choi", h.may(ansinh.ActDecide), h.RejectForm)
	staff.Post("/duyet/:id/hien-so", h.may(ansinh.ActReveal), h.RevealReviewForm)
	staff.Get("/duyet/:id/giay-uy-quyen", h.may(ansinh.ActDecide), h.AuthorisationPhoto)
	staff.Get("/doi-tuong/:id/dang-ky-ho", h.may(ansinh.ActAssist), h.AssistedPage)
	staff.Post("/doi-tuong/:id/dang-ky-ho", h.may(ansinh.ActAssist), h.AssistedForm)
	staff.Get("/qr/:code", h.may(ansinh.ActIssueQR), h.PosterPage)
	staff.Get("/qr/:code/giay-bao", h.may(ansinh.ActIssueQR), h.CardsConfirmPage)
	staff.Post("/qr/:code/giay-bao", h.may(ansinh.ActIssueQR), h.CardsPage) // mints codes: a post, never a link
	staff.Get("/lien-he", h.may(ansinh.ActContact), h.ContactPage)
	staff.Post("/lien-he", h.may(ansinh.ActContact), h.ContactForm)
	staff.Get("/nhap-danh-sach", h.may(ansinh.ActImport), h.ImportPage)
	staff.Post("/nhap-danh-sach", h.may(ansinh.ActImport), h.ImportForm)
	staff.Get("/nhap-danh-sach/mau.xlsx", h.may(ansinh.ActImport), h.ImportTemplate)
	staff.Get("/nhap-danh-sach/:id/loi.csv", h.may(ansinh.ActImport), h.ImportErrorsCSV)
	staff.Get("/nhap-danh-sach/:id", h.may(ansinh.ActImport), h.ImportReportPage)
	staff.Get("/nhap-danh-sach/viec/:id", h.may(ansinh.ActImport), h.ImportJobPage)
	staff.Get("/nhap-danh-sach/viec/:id/tien-do", h.may(ansinh.ActImport), h.ImportProgress) // the page script's, on the staff session
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

// publicLimit bounds the requests one address makes to the public endpoints, a
// minute at a time, counted in memory and shared between instances through the store
// (package ratelimit).
func (h *Handler) publicLimit() fiber.Handler {
	if h.cfg.PublicRateLimit <= 0 { // off: only benchmarks compare with it
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	l := ratelimit.New(h.cfg.PublicRateLimit, time.Minute, h.rates, nil)
	return func(c *fiber.Ctx) error {
		if ok, wait := l.Allow(c.UserContext(), h.clientIP(c)); !ok {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
			return ansinh.Errorf(ansinh.ERATELIMIT, ansinh.MsgTooManyRequests)
		}
		return c.Next()
	}
}
