package ansinh

// Action is something a staff user may be allowed to do. Role.Can answers from the one
// table below, which the API checks and the page buttons both read; the user's unit
// then bounds where (see User.Sees), and some actions add a condition of their own
// (a report is sent by its own unit; a payment list by a commune only where the commune
// answers for the target).
type Action string

const (
	ActCreateUsers     Action = "users.create"           // staff accounts inside one's own unit
	ActImport          Action = "beneficiaries.import"   // load a beneficiary list
	ActReveal          Action = "beneficiaries.reveal"   // whole CCCD and account numbers, audited
	ActManage          Action = "beneficiaries.manage"   // eligibility, the commune of a split old ward
	ActIdentity        Action = "beneficiaries.identity" // record the check against the population database
	ActAssist          Action = "registrations.assist"   // register an account on someone's behalf
	ActDecide          Action = "registrations.decide"   // verify or reject a submission
	ActSubmitReport    Action = "reports.submit"         // freeze one's own unit's monthly report
	ActPaymentList     Action = "payments.export"        // the payment list with whole numbers
	ActAPIClients      Action = "api_clients.create"     // register, list, pause, resume and revoke G2P mapper clients
	ActProvinceBacklog Action = "queue.backlog"          // see the backlog of the communes below
	ActManageUsers     Action = "users.manage"           // disable, re-enable, reset the password of staff below one's role, inside one's unit
	ActAudit           Action = "audit.view"             // read and export the audit trail
)

// permissions is the role × action table.
var permissions = map[Role]map[Action]bool{
	RoleAdmin: {ActCreateUsers: true, ActImport: true, ActAPIClients: true, ActProvinceBacklog: true, ActManageUsers: true,
		ActAudit: true},
	RoleProvince: {ActCreateUsers: true, ActImport: true, ActReveal: true, ActSubmitReport: true, ActPaymentList: true,
		ActProvinceBacklog: true, ActManageUsers: true, ActAudit: true},
	RoleDistrict: {ActCreateUsers: true, ActImport: true, ActReveal: true, ActManage: true, ActAssist: true, ActDecide: true,
		ActSubmitReport: true, ActPaymentList: true, ActProvinceBacklog: true, ActManageUsers: true},
	RoleCommune: {ActReveal: true, ActManage: true, ActAssist: true, ActDecide: true, ActSubmitReport: true, ActPaymentList: true},
	RolePolice:  {ActReveal: true, ActIdentity: true, ActProvinceBacklog: true},
}

// Can reports whether the role may do the action at all.
func (r Role) Can(a Action) bool { return permissions[r][a] }

// Actions lists every action, in the order the permission table is shown.
var Actions = []Action{ActCreateUsers, ActImport, ActReveal, ActManage, ActIdentity, ActAssist, ActDecide,
	ActSubmitReport, ActPaymentList, ActAPIClients, ActProvinceBacklog, ActManageUsers, ActAudit}
