package handlers_test

import (
	"net/url"
	"sort"
	"strings"
	"testing"

	"ansinh"
)

// permissionProbe is one request that needs an action: its route as routes.go writes
// it, and whether it is a page (session cookie, CSRF form) or the API (bearer token).
type permissionProbe struct {
	method, route string
	page          bool
	body          any // API: a JSON body; pages: url.Values for a POST
}

// permissionProbes lists, for every action of the table, every route that needs it.
// TestEveryStaffRouteHasAProbe checks that no staff route is missing.
var permissionProbes = map[ansinh.Action][]permissionProbe{
	ansinh.ActCreateUsers: {{method: "POST", route: "/api/v1/users", body: map[string]string{"username": "x", "role": "nope"}}},
	ansinh.ActImport: {
		{method: "POST", route: "/api/v1/beneficiaries/import", body: map[string]string{}},
		{method: "POST", route: "/api/v1/payments/results", body: map[string]string{}},
		{method: "GET", route: "/api/v1/beneficiaries/template.xlsx"},
		{method: "GET", route: "/api/v1/imports/:id/errors.csv"},
		{method: "GET", route: "/can-bo/nhap-danh-sach", page: true},
		{method: "POST", route: "/can-bo/nhap-danh-sach", page: true, body: url.Values{}},
		{method: "GET", route: "/can-bo/nhap-danh-sach/mau.xlsx", page: true},
		{method: "GET", route: "/can-bo/nhap-danh-sach/:id/loi.csv", page: true},
		{method: "GET", route: "/can-bo/nhap-danh-sach/:id", page: true},
		{method: "GET", route: "/api/v1/imports/:id"},
		{method: "GET", route: "/can-bo/nhap-danh-sach/viec/:id", page: true},
		{method: "GET", route: "/can-bo/nhap-danh-sach/viec/:id/tien-do", page: true},
	},
	ansinh.ActView: {
		{method: "GET", route: "/api/v1/beneficiaries"},
		{method: "GET", route: "/api/v1/beneficiaries/:id"},
		{method: "GET", route: "/can-bo/doi-tuong", page: true},
		{method: "GET", route: "/can-bo/doi-tuong/:id", page: true},
		{method: "GET", route: "/can-bo/can-chon-xa", page: true},
	},
	ansinh.ActExport: {
		{method: "GET", route: "/api/v1/beneficiaries/export.csv"},
		{method: "GET", route: "/can-bo/doi-tuong/xuat.csv", page: true},
	},
	ansinh.ActReveal: {
		{method: "POST", route: "/api/v1/beneficiaries/:id/reveal"},
		{method: "POST", route: "/can-bo/doi-tuong/:id/hien-so", page: true, body: url.Values{}},
		{method: "POST", route: "/can-bo/duyet/:id/hien-so", page: true, body: url.Values{}},
	},
	ansinh.ActRevealCCCD: {
		{method: "POST", route: "/api/v1/beneficiaries/:id/reveal-cccd"},
		{method: "POST", route: "/can-bo/doi-tuong/:id/hien-cccd", page: true, body: url.Values{}},
	},
	ansinh.ActManage: {
		{method: "POST", route: "/api/v1/beneficiaries/:id/eligibility", body: map[string]string{}},
		{method: "POST", route: "/api/v1/beneficiaries/:id/commune", body: map[string]string{}},
		{method: "POST", route: "/can-bo/doi-tuong/:id/dieu-kien", page: true, body: url.Values{"eligible": {"0"}}},
		{method: "POST", route: "/can-bo/can-chon-xa/:id", page: true, body: url.Values{}},
	},
	ansinh.ActIdentityList: {
		{method: "GET", route: "/api/v1/identity/export"},
		{method: "GET", route: "/can-bo/doi-chieu", page: true},
		{method: "GET", route: "/can-bo/doi-chieu/danh-sach", page: true},
	},
	ansinh.ActIdentity: {
		{method: "POST", route: "/api/v1/beneficiaries/:id/identity", body: map[string]string{"state": "nope"}},
		{method: "POST", route: "/api/v1/identity/results", body: map[string]string{}},
		{method: "POST", route: "/can-bo/doi-tuong/:id/doi-chieu", page: true, body: url.Values{"state": {"nope"}}},
		{method: "POST", route: "/can-bo/doi-chieu/ket-qua", page: true, body: url.Values{}},
	},
	ansinh.ActViewSubmissions: {
		{method: "GET", route: "/api/v1/registrations"},
		{method: "GET", route: "/api/v1/registrations/:id/review"},
		{method: "GET", route: "/api/v1/beneficiaries/:id/history"},
		{method: "GET", route: "/can-bo/duyet", page: true},
		{method: "GET", route: "/can-bo/duyet/:id", page: true},
	},
	ansinh.ActAssist: {
		{method: "POST", route: "/api/v1/beneficiaries/:id/registrations", body: map[string]string{}},
		{method: "GET", route: "/can-bo/doi-tuong/:id/dang-ky-ho", page: true},
		{method: "POST", route: "/can-bo/doi-tuong/:id/dang-ky-ho", page: true, body: url.Values{}},
	},
	ansinh.ActDecide: {
		{method: "POST", route: "/api/v1/registrations/verify", body: map[string]any{"ids": []string{}}},
		{method: "POST", route: "/api/v1/registrations/:id/verify"},
		{method: "POST", route: "/api/v1/registrations/:id/reject", body: map[string]string{}},
		{method: "POST", route: "/can-bo/duyet/xac-nhan-nhieu", page: true, body: url.Values{}},
		{method: "POST", route: "/can-bo/duyet/:id/xac-nhan", page: true, body: url.Values{}},
		{method: "POST", route: "/can-bo/duyet/:id/tu-choi", page: true, body: url.Values{}},
		{method: "GET", route: "/can-bo/duyet/:id/giay-uy-quyen", page: true},
	},
	ansinh.ActIssueQR: {
		{method: "GET", route: "/api/v1/beneficiaries/:id/qr"},
		{method: "POST", route: "/api/v1/beneficiaries/:id/qr", body: map[string]string{}},
		{method: "POST", route: "/api/v1/qr/:token/revoke"},
		{method: "GET", route: "/can-bo/qr/:code", page: true},
		{method: "GET", route: "/can-bo/qr/:code/giay-bao", page: true},
		{method: "POST", route: "/can-bo/qr/:code/giay-bao", page: true, body: url.Values{}},
	},
	ansinh.ActSubmitReport: {
		{method: "POST", route: "/api/v1/reports/monthly/submit", body: map[string]string{}},
		{method: "POST", route: "/can-bo/tong-quan/gui-bao-cao", page: true, body: url.Values{}},
		{method: "POST", route: "/can-bo/bao-cao/gui", page: true, body: url.Values{}},
	},
	ansinh.ActPaymentList: {
		{method: "GET", route: "/api/v1/payments"},
		{method: "GET", route: "/can-bo/chi-tra", page: true},
	},
	ansinh.ActAPIClients: {
		{method: "GET", route: "/api/v1/api-clients"},
		{method: "POST", route: "/api/v1/api-clients", body: map[string]string{}},
		{method: "POST", route: "/api/v1/api-clients/:sender/pause", body: map[string]string{}},
		{method: "POST", route: "/api/v1/api-clients/:sender/resume", body: map[string]string{}},
		{method: "POST", route: "/api/v1/api-clients/:sender/revoke", body: map[string]string{}},
	},
	ansinh.ActProvinceBacklog: {{method: "GET", route: "/api/v1/registrations/backlog"}},
	ansinh.ActPrivacyRequests: {
		{method: "POST", route: "/can-bo/doi-tuong/:id/yeu-cau", page: true, body: url.Values{"kind": {"nope"}}},
		{method: "GET", route: "/can-bo/yeu-cau-du-lieu", page: true},
		{method: "GET", route: "/can-bo/yeu-cau-du-lieu/:id", page: true},
		{method: "POST", route: "/can-bo/yeu-cau-du-lieu/:id/tra-loi", page: true, body: url.Values{}},
		{method: "GET", route: "/can-bo/yeu-cau-du-lieu/:id/du-lieu", page: true},
	},
	ansinh.ActManageUsers: {
		{method: "POST", route: "/api/v1/users/:username/disable", body: map[string]string{}},
		{method: "POST", route: "/api/v1/users/:username/enable", body: map[string]string{}},
		{method: "POST", route: "/api/v1/users/:username/reset-password", body: map[string]string{}},
		{method: "GET", route: "/can-bo/nguoi-dung", page: true},
		{method: "GET", route: "/can-bo/nguoi-dung/moi", page: true},
		{method: "POST", route: "/can-bo/nguoi-dung/moi", page: true, body: url.Values{}},
		{method: "POST", route: "/can-bo/nguoi-dung/:username/khoa", page: true, body: url.Values{}},
		{method: "POST", route: "/can-bo/nguoi-dung/:username/mo-khoa", page: true, body: url.Values{}},
		{method: "POST", route: "/can-bo/nguoi-dung/:username/dat-lai-mat-khau", page: true, body: url.Values{}},
		{method: "GET", route: "/can-bo/nguoi-dung/:username/mat-khau-mot-lan", page: true},
	},
	ansinh.ActRemind: {
		{method: "POST", route: "/api/v1/notices/reminders", body: map[string]string{"unit": "nope"}},
	},
	ansinh.ActContact: {
		{method: "GET", route: "/can-bo/lien-he", page: true},
		{method: "POST", route: "/can-bo/lien-he", page: true, body: url.Values{}},
	},
	ansinh.ActAudit: {
		{method: "GET", route: "/can-bo/nhat-ky", page: true},
		{method: "GET", route: "/can-bo/nhat-ky/xuat.csv", page: true},
	},
	ansinh.ActBreaches: {
		{method: "GET", route: "/can-bo/vi-pham-du-lieu", page: true},
		{method: "POST", route: "/can-bo/vi-pham-du-lieu", page: true, body: url.Values{}},
		{method: "POST", route: "/can-bo/vi-pham-du-lieu/:id/bao-cao", page: true, body: url.Values{"reference": {"x"}}},
		{method: "POST", route: "/can-bo/vi-pham-du-lieu/:id/dong", page: true, body: url.Values{}},
	},
	ansinh.ActCoverage: {
		{method: "GET", route: "/api/v1/coverage"},
		{method: "GET", route: "/api/v1/reports/monthly"},
		{method: "GET", route: "/can-bo/tong-quan", page: true},
		{method: "GET", route: "/can-bo/tong-quan/bao-cao", page: true},
		{method: "GET", route: "/can-bo/bao-cao", page: true},
	},
}

// permissionStaff is one user of each role, all over commune 31498 (Phường 5).
var permissionStaff = map[ansinh.Role]string{
	ansinh.RoleAdmin: "admin", ansinh.RoleProvince: "so.ldtbxh", ansinh.RoleDistrict: "huyen941",
	ansinh.RoleCommune: "xa31498", ansinh.RolePolice: "ca.tinh",
}

// TestEveryPermissionCell asks, for every role and every action of the table, every
// route that needs the action: a role the table refuses is turned away with the
// table's refusal (403, "Vai trò … không được làm việc này") and nothing else; a
// role it allows never is (whatever else the request then meets: a missing field, a
// record not found, a report that is not its unit's). The payment side of a record,
// which has no route of its own, is probed by what the record shows.
func TestEveryPermissionCell(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, receipt := e.submit(validRegistration("key-cells-00001"))
	id := e.store.BeneficiaryID(sauCCCD)
	fill := func(route string) string {
		for k, v := range map[string]string{":id/errors.csv": "nope/errors.csv", ":id/loi.csv": "nope/loi.csv", ":token": "nope",
			":code": "31498"} {
			route = strings.Replace(route, k, v, 1)
		}
		if strings.HasPrefix(route, "/api/v1/registrations/:id") || strings.HasPrefix(route, "/can-bo/duyet/:id") {
			return strings.Replace(route, ":id", receipt, 1)
		}
		if strings.HasPrefix(route, "/can-bo/yeu-cau-du-lieu/:id") || strings.HasPrefix(route, "/can-bo/vi-pham-du-lieu/:id") {
			return strings.Replace(route, ":id", "nope", 1)
		}
		route = strings.Replace(route, ":id", id, 1)
		switch route {
		case "/api/v1/payments", "/api/v1/identity/export", "/can-bo/doi-chieu/danh-sach", "/api/v1/coverage":
			route += "?unit=31498"
		}
		return route
	}
	for _, role := range ansinh.Roles {
		user := permissionStaff[role]
		token, browser := e.login(user), e.browser(user)
		for _, action := range ansinh.Actions {
			probes, ok := permissionProbes[action]
			if !ok && action != ansinh.ActViewPayment {
				t.Errorf("action %s has no probe", action)
			}
			for _, p := range probes {
				path := fill(p.route)
				var r *response
				switch {
				case p.page && p.method == "GET":
					r, _ = browser.get(path)
				case p.page:
					v, _ := p.body.(url.Values)
					r, _ = browser.post(path, url.Values(copyValues(v)))
				default:
					r = e.do(p.method, path, token, p.body)
				}
				refused := r.StatusCode == 403 && strings.Contains(string(r.body), ansinh.MsgRoleForbidden)
				if want := !role.Can(action); refused != want {
					t.Errorf("%s %s %s (%s): %d %.200s; the table says may=%v", role, p.method, p.route, action, r.StatusCode, r.body, role.Can(action))
				}
			}
		}
		// The payment side of a record.
		r := e.do("GET", "/api/v1/beneficiaries/"+id, token, nil)
		if got, want := strings.Contains(string(r.body), `"account":`), role.Can(ansinh.ActViewPayment); r.StatusCode != 200 || got != want {
			t.Errorf("%s reads a record: %d, shows the account field %v, the table says %v: %s", role, r.StatusCode, got, want, r.body)
		}
		if _, doc := browser.get("/can-bo/doi-tuong/" + id); (doc.Find("#account").Length() == 1) != role.Can(ansinh.ActViewPayment) {
			t.Errorf("%s's record page shows the account: %v, the table says %v", role, doc.Find("#account").Length() == 1, role.Can(ansinh.ActViewPayment))
		}
	}
}

func copyValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestEveryStaffRouteHasAProbe: every route behind a login is listed in
// permissionProbes, so that TestEveryPermissionCell asks it of every role.
func TestEveryStaffRouteHasAProbe(t *testing.T) {
	e := newEnv(t)
	probed := map[string]bool{}
	for _, ps := range permissionProbes {
		for _, p := range ps {
			probed[p.method+" "+p.route] = true
		}
	}
	// Routes every logged-in user may use, whatever the role.
	anyone := map[string]bool{"POST /api/v1/auth/logout": true, "GET /api/v1/me": true, "GET /api/v1/units": true,
		"GET /api/v1/unit-sets": true, "GET /api/v1/users": true, "GET /can-bo/": true, "HEAD /can-bo/": true,
		"POST /api/v1/me/password": true, "GET /api/v1/me/logins": true, "GET /can-bo/tai-khoan": true,
		"GET /can-bo/mat-khau": true, "POST /can-bo/mat-khau": true}
	var missing []string
	for _, r := range e.app.GetRoutes(true) {
		key := r.Method + " " + r.Path
		staff := strings.HasPrefix(r.Path, "/can-bo/") || (strings.HasPrefix(r.Path, "/api/v1/") && !publicAPI[key] && r.Path != "/api/v1/*")
		if !staff || r.Method == "HEAD" || anyone[key] || probed[key] {
			continue
		}
		missing = append(missing, key)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("staff routes without a permission probe: %v", missing)
	}
}

// publicAPI are the API routes open without a login.
var publicAPI = map[string]bool{"POST /api/v1/auth/login": true, "GET /api/v1/openapi.json": true, "POST /api/v1/registrations": true,
	"POST /api/v1/vietqr/decode": true, "GET /api/v1/registrations/:receipt": true}
