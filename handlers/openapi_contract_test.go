package handlers_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"ansinh"
	"ansinh/g2p/g2ptest"
	"ansinh/vietqr"
)

// openAPIDoc is the served document, read for the contract tests.
type openAPIDoc struct {
	raw   []byte
	paths map[string]map[string]struct {
		RequestBody struct {
			Content map[string]struct {
				Schema map[string]any `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]map[string]any `json:"responses"`
	}
	responses map[string]map[string]any // components.responses
	schemas   *g2ptest.Schemas
}

func loadOpenAPI(t *testing.T, e *env) *openAPIDoc {
	t.Helper()
	r := e.do("GET", "/api/v1/openapi.json", "", nil)
	doc := &openAPIDoc{raw: r.body}
	var d struct {
		Paths      json.RawMessage `json:"paths"`
		Components struct {
			Responses map[string]map[string]any `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(d.Paths, &doc.paths); err != nil {
		t.Fatal(err)
	}
	doc.responses = d.Components.Responses
	s, err := g2ptest.Load(r.body)
	if err != nil {
		t.Fatal(err)
	}
	doc.schemas = s.Strict()
	return doc
}

// operation finds the documented path of a request path: the one it matches with the
// fewest parameters (/registrations/backlog before /registrations/{receipt}).
func (d *openAPIDoc) operation(method, path string) (string, bool) {
	path, _, _ = strings.Cut(path, "?")
	var found []string
	for p, ops := range d.paths {
		if _, ok := ops[strings.ToLower(method)]; !ok {
			continue
		}
		want, got := strings.Split(p, "/"), strings.Split(path, "/")
		match := len(want) == len(got)
		for i := 0; match && i < len(want); i++ {
			param := strings.HasPrefix(want[i], "{") && strings.HasSuffix(want[i], "}")
			match = want[i] == got[i] || (param && got[i] != "")
		}
		if match {
			found = append(found, p)
		}
	}
	sort.Slice(found, func(i, j int) bool { return strings.Count(found[i], "{") < strings.Count(found[j], "{") })
	if len(found) == 0 {
		return "", false
	}
	return found[0], true
}

// answerSchema is the JSON schema the document gives an answer of this status.
func (d *openAPIDoc) answerSchema(path, method string, status int) (map[string]any, error) {
	rs := d.paths[path][strings.ToLower(method)].Responses
	r, ok := rs[fmt.Sprint(status)]
	if !ok {
		r, ok = rs[fmt.Sprintf("%dXX", status/100)]
	}
	if !ok {
		r, ok = rs["default"]
	}
	if !ok {
		return nil, fmt.Errorf("status %d is not documented", status)
	}
	if ref, ok := r["$ref"].(string); ok {
		r = d.responses[strings.TrimPrefix(ref, "#/components/responses/")]
	}
	content, _ := r["content"].(map[string]any)
	js, _ := content["application/json"].(map[string]any)
	sch, _ := js["schema"].(map[string]any)
	if sch == nil {
		return nil, fmt.Errorf("status %d has no JSON body described", status)
	}
	return sch, nil
}

// TestOpenAPIDescribesEveryBody: no request or response body of the document is a
// bare object, every JSON request names its fields and every JSON answer of a 2xx
// status is described (files and empty answers aside).
func TestOpenAPIDescribesEveryBody(t *testing.T) {
	doc := loadOpenAPI(t, newEnv(t))
	var bare func(where string, s map[string]any)
	bare = func(where string, s map[string]any) {
		if s["type"] == "object" && s["properties"] == nil && s["additionalProperties"] == nil {
			t.Errorf("%s: an object without its fields", where)
		}
	}
	for path, ops := range doc.paths {
		for method, op := range ops {
			where := strings.ToUpper(method) + " " + path
			for ct, c := range op.RequestBody.Content {
				if c.Schema == nil {
					t.Errorf("%s: request %s without a schema", where, ct)
				}
				bare(where+" request", c.Schema)
			}
			for code, r := range op.Responses {
				content, _ := r["content"].(map[string]any)
				if strings.HasPrefix(code, "2") && code != "204" && len(content) == 0 {
					t.Errorf("%s %s: no body described", where, code)
				}
				for ct, c := range content {
					sch, _ := c.(map[string]any)["schema"].(map[string]any)
					if sch == nil {
						t.Errorf("%s %s: %s without a schema", where, code, ct)
						continue
					}
					bare(where+" "+code, sch)
				}
			}
		}
	}
}

// TestAnswersMatchTheOpenAPIDocument sends real requests to most routes, the good and
// some refused ones, and checks each JSON answer against the schema the document
// gives its route and status: required fields present, types and enums right, and no
// field the document does not describe.
func TestAnswersMatchTheOpenAPIDocument(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	doc := loadOpenAPI(t, e)
	admin, prov, district, officer, police := e.login("admin"), e.login("so.ldtbxh"), e.login("huyen941"), e.login("xa31498"), e.login("ca.tinh")
	seen := map[string]bool{}
	call := func(method, path, token string, body any, want int) *response {
		t.Helper()
		r := e.do(method, path, token, body)
		if r.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, r.StatusCode, want, r.body)
		}
		op, ok := doc.operation(method, path)
		if !ok {
			t.Fatalf("%s %s is not in the document", method, path)
		}
		seen[method+" "+op] = true
		if r.StatusCode == 204 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			return r
		}
		sch, err := doc.answerSchema(op, method, r.StatusCode)
		if err != nil {
			t.Errorf("%s %s: %v", method, op, err)
			return r
		}
		for _, p := range doc.schemas.CheckValue(sch, r.body) {
			t.Errorf("%s %s %d: %s", method, op, r.StatusCode, p)
		}
		return r
	}

	call("POST", "/api/v1/auth/login", "", map[string]string{"username": "xa31498", "password": "xa31498-password"}, 200)
	call("POST", "/api/v1/auth/login", "", map[string]string{"username": "xa31498", "password": "wrong-password"}, 401)
	call("GET", "/api/v1/me", officer, nil, 200)
	call("GET", "/api/v1/me/logins", officer, nil, 200)
	call("GET", "/api/v1/units", prov, nil, 200)
	call("GET", "/api/v1/unit-sets", prov, nil, 200)
	call("GET", "/api/v1/users", prov, nil, 200)
	call("POST", "/api/v1/users", district, map[string]string{"username": "xa31498.moi", "password": "mat-khau-du-dai", "role": "commune",
		"unit": "31498", "phone": "0912345678"}, 201)
	call("POST", "/api/v1/users", district, map[string]string{"username": "x", "password": "ngan", "role": "nobody", "unit": "1"}, 422)
	call("POST", "/api/v1/users/xa31498.moi/disable", district, nil, 200)
	call("POST", "/api/v1/users/xa31498.moi/enable", district, nil, 200)
	call("POST", "/api/v1/users/xa31498.moi/reset-password", district, nil, 200)
	call("POST", "/api/v1/users/xa31569/disable", district, nil, 404)
	call("POST", "/api/v1/me/password", police, map[string]string{"current": "ca.tinh-password", "new": "mot-cau-moi-cua-toi"}, 204)

	sau := call("POST", "/api/v1/registrations", "", validRegistration("key-oa-000001"), 201)
	var receipt struct{ Receipt string }
	sau.decode(&receipt)
	var proxy struct{ Receipt string }
	call("POST", "/api/v1/registrations", "", proxyRegistration("key-oa-000002"), 201).decode(&proxy)
	call("POST", "/api/v1/registrations", "", map[string]any{"cccd": "1"}, 422)
	call("GET", "/api/v1/registrations/"+receipt.Receipt, "", nil, 200)
	call("GET", "/api/v1/registrations", officer, nil, 200)
	call("GET", "/api/v1/registrations/"+proxy.Receipt+"/review", officer, nil, 200)
	call("GET", "/api/v1/registrations/backlog", prov, nil, 200)
	call("POST", "/api/v1/registrations/verify", officer, map[string]any{"ids": []string{receipt.Receipt, proxy.Receipt, "ZZZZZZZZZZ"}}, 200)
	call("POST", "/api/v1/registrations/"+proxy.Receipt+"/reject", officer, map[string]string{"reason": "proxy_unauthorized"}, 200)
	call("GET", "/api/v1/registrations?status=verified", officer, nil, 200)

	id := e.store.BeneficiaryID(sauCCCD)
	call("GET", "/api/v1/beneficiaries?q=nguyen", officer, nil, 200)
	call("GET", "/api/v1/beneficiaries/"+id, officer, nil, 200)
	call("POST", "/api/v1/beneficiaries/"+id+"/reveal", officer, nil, 200)
	call("POST", "/api/v1/beneficiaries/"+id+"/identity", police, map[string]string{"state": "matched"}, 200)
	call("POST", "/api/v1/beneficiaries/"+id+"/eligibility", officer, map[string]any{"eligible": true}, 200)
	call("GET", "/api/v1/beneficiaries/"+id+"/qr", officer, nil, 200)
	call("GET", "/api/v1/beneficiaries/"+id+"/history", officer, nil, 200)
	bay := e.store.BeneficiaryID("094152000111")
	assisted := validRegistration("key-oa-000003")
	delete(assisted, "cccd")
	delete(assisted, "birth_date")
	delete(assisted, "consent")
	assisted["account_name"], assisted["account_number"], assisted["proof_seen"] = "Tran Thi Bay", "5555 6666 7777", "CCCD và thẻ ngân hàng"
	call("POST", "/api/v1/beneficiaries/"+bay+"/registrations", officer, assisted, 201)
	call("POST", "/api/v1/vietqr/decode", "", map[string]string{"payload": vietqr.Encode("970405", "123456789012", vietqr.ServiceToAccount)}, 200)
	call("GET", "/api/v1/coverage?unit=94", prov, nil, 200)
	month := e.now().In(ansinh.Vietnam).Format("2006-01")
	call("GET", "/api/v1/reports/monthly?unit=941&month="+month, district, nil, 200)
	call("POST", "/api/v1/reports/monthly/submit", district, map[string]string{"month": month}, 201)
	call("GET", "/api/v1/reports/monthly?unit=94&month="+month, prov, nil, 200)
	call("POST", "/api/v1/api-clients", admin, map[string]any{"sender_id": "kbnn.example.vn", "name": "Kho bạc", "units": []string{"94"}}, 201)
	call("GET", "/api/v1/api-clients", admin, nil, 200)
	call("POST", "/api/v1/api-clients/kbnn.example.vn/pause", admin, nil, 200)
	call("GET", "/api/v1/openapi.json", "", nil, 200)
	call("GET", "/g2p/mapper/keys", "", nil, 200)
	call("POST", "/api/v1/auth/logout", officer, nil, 204)

	// The import's answer too (a multipart post).
	r := e.benUpload(prov, "file", "ds.csv", benCSV(t, benP("Võ Thị Mười", benCCCD(9), "31498")))
	if op, _ := doc.operation("POST", "/api/v1/beneficiaries/import"); r.StatusCode == 200 {
		seen["POST "+op] = true
		sch, err := doc.answerSchema(op, "POST", 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range doc.schemas.CheckValue(sch, r.body) {
			t.Errorf("import: %s", p)
		}
	} else {
		t.Fatalf("import: %d %s", r.StatusCode, r.body)
	}
	if len(seen) < 35 {
		t.Errorf("only %d operations checked", len(seen))
	}
}
