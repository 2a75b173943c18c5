package ansinh

// Action is something a staff user may be allowed to do. Role.Can answers from the one
// table below, which the routes (handlers/routes.go names each route's action), the
// API checks and the page buttons all read; the user's unit then bounds where (see
// User.Sees), and some actions add a condition of their own (a report is sent by its
// own unit; a payment list by a commune only where the commune answers for the target).
type Action string

const (
	ActCreateUsers     Action = "users.create"              // staff accounts inside one's own unit
	ActImport          Action = "beneficiaries.import"      // load a beneficiary list
	ActView            Action = "beneficiaries.view"        // the registry: names, birth dates, communes, CCCD masked
	ActViewPayment     Action = "beneficiaries.payment"     // a record's payment side: programme, amount, eligibility, account (masked), submissions
	ActExport          Action = "beneficiaries.export"      // download the list (numbers masked)
	ActReveal          Action = "beneficiaries.reveal"      // whole CCCD and account numbers, audited
	ActRevealCCCD      Action = "beneficiaries.reveal_cccd" // the whole CCCD alone, audited
	ActManage          Action = "beneficiaries.manage"      // eligibility, the commune of a split old ward
	ActIdentityList    Action = "identity.export"           // a commune's list for the police check (whole CCCD), audited
	ActIdentity        Action = "beneficiaries.identity"    // record the check against the population database, one by one or as a file
	ActViewSubmissions Action = "registrations.view"        // the review queue, the submissions and their checks
	ActAssist          Action = "registrations.assist"      // register an account on someone's behalf
	ActDecide          Action = "registrations.decide"      // verify or reject a submission
	ActIssueQR         Action = "qr.issue"                  // personal QR codes, notice cards, commune posters
	ActSubmitReport    Action = "reports.submit"            // freeze one's own unit's monthly report
	ActPaymentList     Action = "payments.export"           // the payment list with whole numbers
	ActAPIClients      Action = "api_clients.create"        // register, list, pause, resume and revoke G2P mapper clients
	ActProvinceBacklog Action = "queue.backlog"             // see the backlog of the communes below
	ActCoverage        Action = "coverage.view"             // dashboards, coverage and the monthly report (figures, no person)
	ActPrivacyRequests Action = "privacy.requests"          // record and answer a person's requests (see, correct, withdraw consent)
	ActBreaches        Action = "privacy.breaches"          // the breach register
	ActManageUsers     Action = "users.manage"              // disable, re-enable, reset the password of staff below one's role, inside one's unit
	ActAudit           Action = "audit.view"                // read and export the audit trail
	ActContact         Action = "contacts.edit"             // the contact people are told to call (officer, phone, hours) of one's unit or the units below
	ActRemind          Action = "notices.remind"            // queue the month's reminders to the people of one's unit with no account
)

// permissions is the role × action table. The police liaison confirms identities
// against the population database (Law 91/2025: no more than the purpose needs): it
// sees what that check needs — name, birth date, sex, the whole CCCD, the commune of
// residence — and records results; it sees no account, no submission, and issues no
// code. It keeps the figures: the monthly report goes to the provincial police.
var permissions = map[Role]map[Action]bool{
	RoleAdmin: {ActCreateUsers: true, ActImport: true, ActView: true, ActViewPayment: true, ActExport: true,
		ActViewSubmissions: true, ActIssueQR: true, ActAPIClients: true, ActProvinceBacklog: true, ActCoverage: true,
		ActBreaches: true, ActManageUsers: true, ActAudit: true, ActContact: true},
	RoleProvince: {ActCreateUsers: true, ActImport: true, ActView: true, ActViewPayment: true, ActExport: true, ActReveal: true,
		ActRevealCCCD: true, ActIdentityList: true, ActViewSubmissions: true, ActIssueQR: true, ActSubmitReport: true,
		ActPaymentList: true, ActProvinceBacklog: true, ActCoverage: true, ActPrivacyRequests: true, ActManageUsers: true, ActAudit: true, ActContact: true, ActRemind: true},
	RoleDistrict: {ActCreateUsers: true, ActImport: true, ActView: true, ActViewPayment: true, ActExport: true, ActReveal: true,
		ActRevealCCCD: true, ActManage: true, ActIdentityList: true, ActViewSubmissions: true, ActAssist: true, ActDecide: true,
		ActIssueQR: true, ActSubmitReport: true, ActPaymentList: true, ActProvinceBacklog: true, ActCoverage: true,
		ActPrivacyRequests: true, ActManageUsers: true, ActContact: true, ActRemind: true},
	RoleCommune: {ActView: true, ActViewPayment: true, ActExport: true, ActReveal: true, ActRevealCCCD: true, ActManage: true,
		ActIdentityList: true, ActViewSubmissions: true, ActAssist: true, ActDecide: true, ActIssueQR: true, ActSubmitReport: true,
		ActPaymentList: true, ActCoverage: true, ActPrivacyRequests: true, ActContact: true, ActRemind: true},
	RolePolice: {ActView: true, ActRevealCCCD: true, ActIdentityList: true, ActIdentity: true, ActCoverage: true},
}

// Can reports whether the role may do the action at all.
func (r Role) Can(a Action) bool { return permissions[r][a] }

// Actions lists every action, in the order the permission table is shown.
var Actions = []Action{ActCreateUsers, ActImport, ActView, ActViewPayment, ActExport, ActReveal, ActRevealCCCD, ActManage,
	ActIdentityList, ActIdentity, ActViewSubmissions, ActAssist, ActDecide, ActIssueQR, ActSubmitReport, ActPaymentList,
	ActAPIClients, ActProvinceBacklog, ActCoverage, ActPrivacyRequests, ActBreaches, ActManageUsers, ActAudit, ActContact, ActRemind}
