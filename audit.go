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
	ActionUnitsMigrate = "units.migrate"     // the store's live data moved to another unit set

	ActionImport            = "beneficiary.import"
	ActionImportElsewhere   = "beneficiary.import_elsewhere" // a list row for a person another unit holds
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
