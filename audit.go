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
	ActionImportJob         = "beneficiary.import_job" // an uploaded list kept to be imported as a job
	ActionPaymentResults    = "payment.results"
	ActionImportElsewhere   = "beneficiary.import_elsewhere" // a list row for a person another unit holds
	ActionBeneficiaryUpdate = "beneficiary.update"
	ActionReveal            = "beneficiary.reveal"
	ActionIdentityCheck     = "beneficiary.identity"
	ActionRevealCCCD        = "beneficiary.reveal_cccd"
	ActionIdentityList      = "identity.export"  // a commune's list sent to the police
	ActionIdentityResults   = "identity.results" // the police's results file, one event per file beside one per record
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
	ActionRetention         = "privacy.retention" // the retention job erased what its periods made due
	ActionPrivacyRequest    = "privacy.request"   // a person's request recorded
	ActionPrivacyAnswer     = "privacy.answer"    // an officer answered it
	ActionConsentWithdrawn  = "privacy.withdraw"  // a withdrawal carried out: submissions closed, account no longer used
	ActionPrivacyData       = "privacy.data"      // the person's data printed for them (an access request)
	ActionBreachRecord      = "breach.record"
	ActionBreachReport      = "breach.report"
	ActionBreachClose       = "breach.close"
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
