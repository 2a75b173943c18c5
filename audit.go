package ansinh

import "time"

// Audit actions. An event is never changed or deleted once written.
const (
	ActionLogin        = "auth.login"
	ActionLoginFailed  = "auth.login_failed"
	ActionLoginBlocked = "auth.login_blocked"
	ActionLogout       = "auth.logout"
	ActionUserCreate   = "user.create"
	ActionUserUnitMove = "user.unit_migrate" // a change of unit set moved or locked the account
	ActionUserDisable  = "user.disable"
	ActionUserEnable   = "user.enable"
	// ActionUserPasswordReset: a manager gave the user a one-time password (never in
	// the event); ActionUserPasswordChange: the user changed their own.
	ActionUserPasswordReset  = "user.password_reset"
	ActionUserPasswordChange = "user.password_change"
	ActionUserPasswordFailed = "user.password_change_failed" // the current password was wrong
	ActionAuditExport        = "audit.export"
	ActionUnitsMigrate       = "units.migrate" // the store's live data moved to another unit set

	ActionImport            = "beneficiary.import"
	ActionBeneficiaryUpdate = "beneficiary.update"
	ActionReveal            = "beneficiary.reveal"
	ActionIdentityCheck     = "beneficiary.identity"
	ActionEligibility       = "beneficiary.eligibility"
	ActionExport            = "beneficiary.export"
	ActionCommuneChoose     = "beneficiary.commune_choose"
	ActionSubmit            = "registration.submit"
	ActionVerify            = "registration.verify"
	ActionReject            = "registration.reject"
	ActionQRIssue           = "qr.issue"
	ActionQRRevoke          = "qr.revoke"
	ActionQRPrint           = "qr.print"
	ActionReportSubmit      = "report.submit"
	ActionPaymentList       = "payment.list"
	ActionAPIClient         = "client.create"
	ActionResolve           = "g2p.resolve"
	ActionResolveRefused    = "g2p.refused" // a registered client's request refused (signature, replay, sender)
	ActionAPIClientPause    = "client.pause"
	ActionAPIClientResume   = "client.resume"
	ActionAPIClientRevoke   = "client.revoke"
	ActionOutboxRetry       = "outbox.retry"
)

// AuditEvent records who did what to which record, when and from where.
type AuditEvent struct {
	ID     string         `json:"id"`
	At     time.Time      `json:"at"`
	Actor  string         `json:"actor"`
	Role   Role           `json:"role,omitempty"`
	Action string         `json:"action"`
	Target string         `json:"target,omitempty"`
	Unit   string         `json:"unit,omitempty"`
	IP     string         `json:"ip,omitempty"`
	Detail map[string]any `json:"detail,omitempty"`
}

// Session is a logged-in staff user's bearer token or web session. Only a hash of the
// token is stored.
type Session struct {
	TokenHash string
	Username  string
	Kind      string // "api" or "web"
	CreatedAt time.Time
	ExpiresAt time.Time
}
