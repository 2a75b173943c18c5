package handlers_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"ansinh"
	"ansinh/g2p"
	"ansinh/g2p/g2ptest"
	"ansinh/handlers/openapi"
	"ansinh/store"
)

// The mapper suite. Every answer of the mapper goes through g2pDo, which validates it
// against the schemas written from the published G2P Connect mapper schema (v1.0.0)
// in openapi.json: the contract test runs inside every test below.

const (
	sauAccount = "123456789012"
	sauFA      = "account:" + sauAccount + "@970405"
	tamCCCD    = "094048000222"
	tamAccount = "0071000123456"
	tamFA      = "account:" + tamAccount + "@970436"
	bayCCCD    = "094152000111" // in the registry, no account
)

var (
	schemasOnce sync.Once
	schemas     *g2ptest.Schemas
)

func g2pSchemas(t testing.TB) *g2ptest.Schemas {
	t.Helper()
	schemasOnce.Do(func() {
		s, err := g2ptest.Load(openapi.Document)
		if err != nil {
			t.Fatal(err)
		}
		schemas = s
	})
	return schemas
}

// g2pEnv: Sáu (31498) paid into 123456789012 at Agribank, Tám (31569) into
// 0071000123456 at Vietcombank, Bảy (31498) in the registry without an account.
func g2pEnv(t *testing.T) *env {
	t.Helper()
	e := staffEnv(t)
	e.withBeneficiaries()
	_, receipt := e.submit(validRegistration("key-g2p-000001"))
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498"), nil); r.StatusCode != 200 {
		t.Fatalf("verify Sáu: %d %s", r.StatusCode, r.body)
	}
	tam := map[string]any{"cccd": tamCCCD, "birth_date": "1948-01-01", "submitter": "self", "bank_bin": "970436",
		"account_number": tamAccount, "account_name": "Lê Văn Tám", "phone": "0912 345 679", "consent": true, "idempotency_key": "key-g2p-000002"}
	_, receipt = e.submit(tam)
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31569"), nil); r.StatusCode != 200 {
		t.Fatalf("verify Tám: %d %s", r.StatusCode, r.body)
	}
	return e
}

// addClient registers a client through the admin API and returns its token.
func (e *env) addClient(fields map[string]any) string {
	e.t.Helper()
	body := map[string]any{"sender_id": "kbnn.example.vn", "name": "Kho bạc thử", "units": []string{"94"}}
	for k, v := range fields {
		body[k] = v
	}
	r := e.do("POST", "/api/v1/api-clients", e.login("admin"), body)
	var out struct{ Token string }
	r.decode(&out)
	if r.StatusCode != 201 || len(out.Token) < 40 {
		e.t.Fatalf("add client: %d %s", r.StatusCode, r.body)
	}
	return out.Token
}

// g2pDo posts to a mapper route and checks the answer against the schema its status
// calls for: the spec's HTTP error body for 401, 403 and 500, else the on-resolve
// envelope (synchronous) or the acknowledgement (asynchronous).
func (e *env) g2pDo(path, token string, body any, headers ...string) *response {
	e.t.Helper()
	h := headers
	if token != "" {
		h = append([]string{"Authorization", "Bearer " + token}, headers...)
	}
	r := e.do("POST", path, "", body, h...)
	checkG2PAnswer(e.t, path, r.StatusCode, r.body)
	if r.StatusCode == 401 && r.Header.Get("WWW-Authenticate") == "" {
		e.t.Errorf("%s: 401 without WWW-Authenticate", path)
	}
	return r
}

func checkG2PAnswer(t testing.TB, path string, status int, body []byte) {
	t.Helper()
	name := "G2POnResolve"
	switch {
	case status == 401 || status == 403 || status >= 500:
		name = "G2PHTTPError"
	case !strings.Contains(path, "/sync/"):
		name = "G2PAck"
	}
	if problems := g2pSchemas(t).Check(name, body); len(problems) > 0 {
		t.Errorf("%s answered %d, not a valid %s:\n  %s\n%s", path, status, name, strings.Join(problems, "\n  "), body)
	}
}

// msg builds a resolve request; items are maps so tests can break any field.
func msg(id string, items ...map[string]any) map[string]any {
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return map[string]any{
		"header": map[string]any{"version": "1.0.0", "message_id": id, "message_ts": g2p.Timestamp(time.Now()), "action": "resolve",
			"sender_id": "kbnn.example.vn", "receiver_id": "localhost", "total_count": len(items), "is_msg_encrypted": false},
		"message": map[string]any{"transaction_id": "t-" + id, "resolve_request": list},
	}
}

func q(ref string, kv ...string) map[string]any {
	it := map[string]any{"reference_id": ref, "timestamp": g2p.Timestamp(time.Now())}
	for i := 0; i+1 < len(kv); i += 2 {
		it[kv[i]] = kv[i+1]
	}
	return it
}

type onResolve struct {
	Signature string `json:"signature"`
	Header    struct {
		Action, Status string
		MessageID      string `json:"message_id"`
		ReasonCode     string `json:"status_reason_code"`
		ReasonMessage  string `json:"status_reason_message"`
		TotalCount     int    `json:"total_count"`
		CompletedCount int    `json:"completed_count"`
		SenderID       string `json:"sender_id"`
		ReceiverID     string `json:"receiver_id"`
	}
	Message *struct {
		TransactionID string `json:"transaction_id"`
		CorrelationID string `json:"correlation_id"`
		Items         []struct {
			ReferenceID string `json:"reference_id"`
			FA, ID      string
			Status      string
			Reason      string                       `json:"status_reason_code"`
			Provider    *struct{ Name, Code string } `json:"account_provider_info"`
		} `json:"resolve_response"`
	}
}

func decodeOnResolve(t testing.TB, r *response) *onResolve {
	t.Helper()
	var out onResolve
	r.decode(&out)
	return &out
}

// answers maps each reference id to "status reason fa=… id=… bank=…".
func (o *onResolve) answers() map[string]string {
	got := map[string]string{}
	if o.Message == nil {
		return got
	}
	for _, it := range o.Message.Items {
		bank := ""
		if it.Provider != nil {
			bank = it.Provider.Code
		}
		got[it.ReferenceID] = fmt.Sprintf("%s %s fa=%s id=%s bank=%s", it.Status, it.Reason, it.FA, it.ID, bank)
	}
	return got
}

func wantAnswers(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
}

func TestG2PResolveAnswers(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(map[string]any{"details": true})
	r := e.g2pDo("/g2p/mapper/sync/resolve", token, msg("m1",
		q("r1", "id", "cccd:"+sauCCCD+"@vn", "scope", "details"),
		q("r2", "fa", sauFA, "scope", "details"),
		q("r3", "id", "cccd:"+bayCCCD+"@vn"),
		q("r4", "id", "cccd:094999999999@vn"),
		q("r5", "id", "someone"),
		q("r6", "fa", "account:1@1"),
		q("r7", "id", "cccd:"+sauCCCD+"@vn", "scope", "yes_no"),
		q("r8", "fa", "account:999999999@970405"),
		// ids and addresses are case-insensitive normative forms
		q("r9", "id", "CCCD:"+sauCCCD+"@VN", "scope", "details"),
		q("r10", "fa", "ACCOUNT:"+sauAccount+"@970405"),
	))
	out := decodeOnResolve(t, r)
	if r.StatusCode != 200 || out.Header.Action != "on-resolve" || out.Header.Status != "succ" || out.Message.TransactionID != "t-m1" ||
		len(out.Message.Items) != 10 || out.Header.CompletedCount != 10 || out.Header.ReceiverID != "kbnn.example.vn" || out.Message.CorrelationID == "" {
		t.Fatalf("resolve: %d %s", r.StatusCode, r.body)
	}
	if out.Signature != "" {
		t.Error("an answer to a client without a key is signed")
	}
	wantAnswers(t, out.answers(), map[string]string{
		"r1":  "succ succ.id.active fa=" + sauFA + " id=cccd:" + sauCCCD + "@vn bank=970405",
		"r2":  "succ succ.fa.active fa=" + sauFA + " id=cccd:" + sauCCCD + "@vn bank=970405",
		"r3":  "succ succ.fa.not_linked_to_id fa= id=cccd:" + bayCCCD + "@vn bank=",
		"r4":  "succ succ.id.not_found fa= id= bank=",
		"r5":  "rjct rjct.id.invalid fa= id= bank=",
		"r6":  "rjct rjct.fa.invalid fa= id= bank=",
		"r7":  "succ succ.id.active fa= id=cccd:" + sauCCCD + "@vn bank=",
		"r8":  "succ succ.fa.not_found fa=account:999999999@970405 id= bank=",
		"r9":  "succ succ.id.active fa=" + sauFA + " id=cccd:" + sauCCCD + "@vn bank=970405",
		"r10": "succ succ.fa.active fa=" + sauFA + " id= bank=",
	})

	// No items: an empty list, never null.
	r = e.g2pDo("/g2p/mapper/sync/resolve", token, msg("m2"))
	if r.StatusCode != 200 || !strings.Contains(string(r.body), `"resolve_response":[]`) {
		t.Fatalf("no items: %d %s", r.StatusCode, r.body)
	}
	// Nothing is ever null, and no success item carries an empty reason.
	for _, bad := range []string{"null", `"status_reason_message":""`} {
		if strings.Contains(string(r.body), bad) {
			t.Errorf("answer holds %s: %s", bad, r.body)
		}
	}
}

// An omitted scope is yes_no: no account, no bank, no CCCD; any other scope is not
// supported.
func TestG2PScopeDefaultsToYesNo(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(map[string]any{"details": true})
	r := e.g2pDo("/g2p/mapper/sync/resolve", token, msg("m1",
		q("by-id", "id", "cccd:"+sauCCCD+"@vn"),
		q("by-fa", "fa", sauFA),
		q("odd", "id", "cccd:"+sauCCCD+"@vn", "scope", "everything"),
		q("empty", "id", "cccd:"+sauCCCD+"@vn", "scope", ""),
	))
	wantAnswers(t, decodeOnResolve(t, r).answers(), map[string]string{
		"by-id": "succ succ.id.active fa= id=cccd:" + sauCCCD + "@vn bank=",
		"by-fa": "succ succ.fa.active fa=" + sauFA + " id= bank=",
		"odd":   "rjct rjct.resolve_type.not_supported fa= id= bank=",
		"empty": "succ succ.id.active fa= id=cccd:" + sauCCCD + "@vn bank=",
	})
	if strings.Contains(string(r.body), "account_provider_info") {
		t.Errorf("yes/no answers carry account details: %s", r.body)
	}
}

// Property: a client without the right to details never receives an account number
// nor a CCCD it did not send, whatever it asks, however it spells it, sync or async.
func TestG2PClientWithoutDetailsNeverSeesAnAccount(t *testing.T) {
	e := g2pEnv(t)
	fake := newPaymentSystem(t)
	token := e.addClient(map[string]any{"callback_url": fake.URL})
	ids := []string{"cccd:" + sauCCCD + "@vn", "CCCD:" + sauCCCD + "@VN", "cccd:" + tamCCCD + "@vn", "cccd:" + bayCCCD + "@vn", ""}
	fas := []string{sauFA, strings.ToUpper(sauFA), tamFA, "account:000000000@970405", ""}
	scopes := []string{"details", "yes_no", "", "DETAILS", "details "}
	var items []map[string]any
	for _, id := range ids {
		for _, fa := range fas {
			for _, sc := range scopes {
				if id == "" && fa == "" {
					continue
				}
				it := q(fmt.Sprint("r", len(items)), "scope", sc)
				if id != "" {
					it["id"] = id
				}
				if fa != "" {
					it["fa"] = fa
				}
				items = append(items, it)
			}
		}
	}
	if len(items) < 100 {
		t.Fatalf("only %d questions", len(items))
	}
	var bodies [][]byte
	for i := 0; i < len(items); i += 50 {
		part := items[i:min(i+50, len(items))]
		sync := e.g2pDo("/g2p/mapper/sync/resolve", token, msg(fmt.Sprint("s", i), part...))
		async := e.g2pDo("/g2p/mapper/resolve", token, msg(fmt.Sprint("a", i), part...))
		if sync.StatusCode != 200 || async.StatusCode != 200 {
			t.Fatalf("%d %s / %d %s", sync.StatusCode, sync.body, async.StatusCode, async.body)
		}
		bodies = append(bodies, sync.body)
	}
	fake.deliver(e)
	bodies = append(bodies, fake.bodies()...)
	if len(bodies) < 6 {
		t.Fatalf("only %d answers", len(bodies))
	}
	for _, b := range bodies {
		if strings.Contains(string(b), "account_provider_info") {
			t.Fatalf("a yes/no client received account details: %s", b)
		}
		var out onResolve
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Message.Items {
			asked := items[0]
			for _, asks := range items {
				if asks["reference_id"] == it.ReferenceID {
					asked = asks
				}
			}
			// Whatever comes back is what was asked, normalised, nothing more.
			if it.FA != "" && !strings.EqualFold(it.FA, fmt.Sprint(asked["fa"])) {
				t.Fatalf("%s: fa %s returned for a question without it: %v", it.ReferenceID, it.FA, asked)
			}
			if it.ID != "" && !strings.EqualFold(it.ID, fmt.Sprint(asked["id"])) {
				t.Fatalf("%s: id %s returned for a question without it: %v", it.ReferenceID, it.ID, asked)
			}
			if it.Provider != nil {
				t.Fatalf("%s: account provider returned", it.ReferenceID)
			}
		}
	}
	if !strings.Contains(string(bodies[0]), "rjct.resolve_type.not_supported") {
		t.Error("details asked without the right is not refused")
	}
}

// Property: with both id and fa, success (succ.fa.active) only when the account pays
// that person; any other pair is not linked and never reveals the id's own account.
func TestG2PIDAndFAMustBelongTogether(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(map[string]any{"details": true})
	ids := map[string]string{sauCCCD: sauFA, tamCCCD: tamFA, bayCCCD: ""}
	fas := []string{sauFA, tamFA, "account:55555555@970405"}
	var items []map[string]any
	want := map[string]string{}
	for cccd, own := range ids {
		for _, fa := range fas {
			for _, sc := range []string{"details", "yes_no"} {
				ref := fmt.Sprintf("%s-%s-%s", cccd, fa, sc)
				items = append(items, q(ref, "id", "cccd:"+cccd+"@vn", "fa", fa, "scope", sc))
				bank := ""
				reason := "succ.fa.not_linked_to_id"
				if fa == own {
					reason = "succ.fa.active"
					if sc == "details" {
						bank = fa[len(fa)-6:]
					}
				}
				want[ref] = fmt.Sprintf("succ %s fa=%s id=cccd:%s@vn bank=%s", reason, fa, cccd, bank)
			}
		}
	}
	r := e.g2pDo("/g2p/mapper/sync/resolve", token, msg("m1", items...))
	got := decodeOnResolve(t, r).answers()
	wantAnswers(t, got, want)
	if len(got) != len(want) {
		t.Errorf("%d answers for %d questions", len(got), len(want))
	}
}

func TestG2PRefusesBadRequests(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(map[string]any{"details": true})
	long := strings.Repeat("x", 120)
	type check struct {
		name   string
		mutate func(m map[string]any)
		status int
		code   string // header reason code, or the err code in the message
	}
	hdr := func(m map[string]any) map[string]any { return m["header"].(map[string]any) }
	body := func(m map[string]any) map[string]any { return m["message"].(map[string]any) }
	for _, c := range []check{
		{"no message", func(m map[string]any) { delete(m, "message") }, 400, "err.request.bad"},
		{"message null", func(m map[string]any) { m["message"] = nil }, 400, "err.request.bad"},
		{"no transaction_id", func(m map[string]any) { delete(body(m), "transaction_id") }, 400, "err.request.bad"},
		{"120-character transaction_id", func(m map[string]any) { body(m)["transaction_id"] = long }, 400, "err.request.bad"},
		{"no resolve_request", func(m map[string]any) { delete(body(m), "resolve_request") }, 400, "err.request.bad"},
		{"version 2.0.0", func(m map[string]any) { hdr(m)["version"] = "2.0.0" }, 400, "rjct.version.invalid"},
		{"bad message_ts", func(m map[string]any) { hdr(m)["message_ts"] = "25/11/2026" }, 400, "rjct.message_ts.invalid"},
		{"stale message_ts", func(m map[string]any) { hdr(m)["message_ts"] = "2022-12-04T17:20:07-04:00" }, 400, "rjct.message_ts.invalid"},
		{"action link", func(m map[string]any) { hdr(m)["action"] = "link" }, 400, "rjct.action.invalid"},
		{"no total_count", func(m map[string]any) { delete(hdr(m), "total_count") }, 400, "rjct.total_count.invalid"},
		{"wrong total_count", func(m map[string]any) { hdr(m)["total_count"] = 5 }, 400, "rjct.total_count.invalid"},
		{"total_count a string", func(m map[string]any) { hdr(m)["total_count"] = "1" }, 400, "err.request.bad"},
		{"no message_id", func(m map[string]any) { delete(hdr(m), "message_id") }, 400, "err.request.bad"},
		{"encrypted", func(m map[string]any) { hdr(m)["is_msg_encrypted"] = true }, 400, "err.encryption.invalid"},
		{"another sender", func(m map[string]any) { hdr(m)["sender_id"] = "other.example.vn" }, 403, "err.sender_id.invalid"},
		{"no header", func(m map[string]any) { delete(m, "header") }, 400, "err.request.bad"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := msg("bad-"+c.name, q("r1", "id", "cccd:"+sauCCCD+"@vn", "scope", "details"))
			c.mutate(m)
			r := e.g2pDo("/g2p/mapper/sync/resolve", token, m)
			if r.StatusCode != c.status || !strings.Contains(string(r.body), c.code) {
				t.Fatalf("%d %s, want %d %s", r.StatusCode, r.body, c.status, c.code)
			}
			if strings.Contains(string(r.body), sauAccount) || strings.Contains(string(r.body), long) {
				t.Fatalf("a refusal carries data: %s", r.body)
			}
			if c.status == 400 {
				out := decodeOnResolve(t, r)
				if out.Header.Status != "rjct" || out.Header.Action != "on-resolve" || out.Message != nil {
					t.Fatalf("not a header-only rjct envelope: %s", r.body)
				}
			}
			// Nothing was remembered: the same message_id, now valid, is answered.
			if c.name != "no message_id" && c.name != "no header" {
				fixed := msg("bad-"+c.name, q("r1", "id", "cccd:"+sauCCCD+"@vn"))
				if r := e.g2pDo("/g2p/mapper/sync/resolve", token, fixed); r.StatusCode != 200 {
					t.Fatalf("the message_id of a refused request was used up: %d %s", r.StatusCode, r.body)
				}
			}
		})
	}
	for _, raw := range []string{`{"header":`, `[]`, `{"header":{},"message":{}} {}`, `"x"`} {
		r := e.g2pDo("/g2p/mapper/sync/resolve", token, raw)
		if r.StatusCode != 400 || !strings.Contains(string(r.body), "err.request.bad") {
			t.Errorf("%s: %d %s", raw, r.StatusCode, r.body)
		}
	}
	if r := e.g2pDo("/g2p/mapper/sync/resolve", token, msg("ct"), "Content-Type", "text/plain"); r.StatusCode != 400 {
		t.Errorf("text/plain: %d %s", r.StatusCode, r.body)
	}
	many := make([]map[string]any, 101)
	for i := range many {
		many[i] = q(fmt.Sprint(i), "id", "cccd:"+sauCCCD+"@vn")
	}
	if r := e.g2pDo("/g2p/mapper/sync/resolve", token, msg("many", many...)); r.StatusCode != 400 || !strings.Contains(string(r.body), "rjct.total_count.limit_exceeded") {
		t.Errorf("101 items: %d %.300s", r.StatusCode, r.body)
	}
	big := msg("big", q("r1", "id", "cccd:"+sauCCCD+"@vn", "name", strings.Repeat("a", 300<<10)))
	if r := e.g2pDo("/g2p/mapper/sync/resolve", token, big); r.StatusCode != 413 {
		t.Errorf("300 KB: %d %.300s", r.StatusCode, r.body)
	}
}

func TestG2PItemChecks(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(map[string]any{"details": true})
	noTS := q("no-ts", "id", "cccd:"+sauCCCD+"@vn")
	delete(noTS, "timestamp")
	r := e.g2pDo("/g2p/mapper/sync/resolve", token, msg("m1",
		noTS,
		q("bad-ts", "id", "cccd:"+sauCCCD+"@vn", "timestamp", "yesterday"),
		q("dup", "id", "cccd:"+sauCCCD+"@vn", "scope", "details"),
		q("dup", "id", "cccd:"+tamCCCD+"@vn", "scope", "details"),
		q("locale", "id", "cccd:"+sauCCCD+"@vn", "locale", "vi-VN"),
		q("vie", "id", "cccd:"+sauCCCD+"@vn", "locale", "vie"),
		q("", "id", "cccd:"+sauCCCD+"@vn"),
		q(strings.Repeat("r", 100), "id", "cccd:"+sauCCCD+"@vn"),
		q("nothing"),
	))
	if r.StatusCode != 200 {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	got := decodeOnResolve(t, r)
	reasons := map[string][]string{}
	for _, it := range got.Message.Items {
		reasons[it.ReferenceID] = append(reasons[it.ReferenceID], it.Status+" "+it.Reason)
	}
	want := map[string][]string{
		"no-ts":                  {"rjct rjct.timestamp.invalid"},
		"bad-ts":                 {"rjct rjct.timestamp.invalid"},
		"dup":                    {"rjct rjct.reference_id.duplicate", "rjct rjct.reference_id.duplicate"},
		"locale":                 {"rjct "},
		"vie":                    {"succ succ.id.active"},
		"":                       {"rjct rjct.reference_id.invalid"},
		strings.Repeat("r", 100): {"rjct rjct.reference_id.invalid"},
		"nothing":                {"rjct rjct.fa.invalid"},
	}
	for k, v := range want {
		if fmt.Sprint(reasons[k]) != fmt.Sprint(v) {
			t.Errorf("%.20s: %v, want %v", k, reasons[k], v)
		}
	}
	if strings.Contains(string(r.body), sauAccount) || strings.Contains(string(r.body), tamAccount) {
		t.Errorf("rejected items carry accounts: %s", r.body)
	}
}

// Property: a message_id is answered once per sender; every replay, sync or async,
// is refused, and another sender may use the same id.
func TestG2PReplayedMessageIDIsRefused(t *testing.T) {
	e := g2pEnv(t)
	fake := newPaymentSystem(t)
	token := e.addClient(map[string]any{"details": true, "callback_url": fake.URL})
	other := e.addClient(map[string]any{"sender_id": "other.example.vn"})
	for i := range 5 {
		id := fmt.Sprint("m", i)
		m := msg(id, q("r1", "id", "cccd:"+sauCCCD+"@vn", "scope", "details"))
		first := "/g2p/mapper/sync/resolve"
		if i%2 == 1 {
			first = "/g2p/mapper/resolve"
		}
		if r := e.g2pDo(first, token, m); r.StatusCode != 200 {
			t.Fatalf("first %s: %d %s", id, r.StatusCode, r.body)
		}
		for _, path := range []string{"/g2p/mapper/sync/resolve", "/g2p/mapper/resolve", first} {
			m["message"].(map[string]any)["transaction_id"] = "another"
			r := e.g2pDo(path, token, m)
			if r.StatusCode != 400 || !strings.Contains(string(r.body), "rjct.message_id.duplicate") || strings.Contains(string(r.body), sauAccount) {
				t.Fatalf("replay of %s on %s: %d %s", id, path, r.StatusCode, r.body)
			}
		}
		m["header"].(map[string]any)["sender_id"] = "other.example.vn"
		if r := e.g2pDo("/g2p/mapper/sync/resolve", other, m); r.StatusCode != 200 {
			t.Fatalf("another sender's %s: %d %s", id, r.StatusCode, r.body)
		}
	}
}

func TestG2PWhoAsks(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(nil)
	ask := func(tok string, headers ...string) *response {
		return e.g2pDo("/g2p/mapper/sync/resolve", tok, msg(ansinh.RandomToken(6), q("r1", "id", "cccd:"+sauCCCD+"@vn")), headers...)
	}
	for name, tok := range map[string]string{"none": "", "forged": "nope", "staff token": e.login("admin")} {
		if r := ask(tok); r.StatusCode != 401 || !strings.Contains(string(r.body), "err.request.unauthorized") {
			t.Errorf("%s: %d %s", name, r.StatusCode, r.body)
		}
	}
	for _, scheme := range []string{"bearer", "BEARER", "Bearer"} {
		if r := ask("", "Authorization", scheme+" "+token); r.StatusCode != 200 {
			t.Errorf("scheme %q: %d %s", scheme, r.StatusCode, r.body)
		}
	}
	if r := ask("", "Authorization", "Basic "+token); r.StatusCode != 401 {
		t.Errorf("basic: %d", r.StatusCode)
	}
	admin := e.login("admin")
	set := func(action string) *response {
		return e.do("POST", "/api/v1/api-clients/kbnn.example.vn/"+action, admin, nil)
	}
	if r := set("pause"); r.StatusCode != 200 {
		t.Fatalf("pause: %d %s", r.StatusCode, r.body)
	}
	if r := ask(token); r.StatusCode != 403 || !strings.Contains(string(r.body), "err.request.forbidden") {
		t.Errorf("paused: %d %s", r.StatusCode, r.body)
	}
	set("resume")
	if r := ask(token); r.StatusCode != 200 {
		t.Errorf("resumed: %d %s", r.StatusCode, r.body)
	}
	set("revoke")
	if r := ask(token); r.StatusCode != 401 {
		t.Errorf("revoked: %d %s", r.StatusCode, r.body)
	}
	if r := set("resume"); r.StatusCode != 409 {
		t.Errorf("resume after revoke: %d %s", r.StatusCode, r.body)
	}
	var list struct {
		Items []struct{ SenderID, Status string } `json:"items"`
	}
	r := e.do("GET", "/api/v1/api-clients", admin, nil)
	r.decode(&list)
	if len(list.Items) != 1 || list.Items[0].Status != "revoked" || strings.Contains(string(r.body), "token") {
		t.Errorf("list: %s", r.body)
	}
	for _, action := range []string{ansinh.ActionAPIClient, ansinh.ActionAPIClientPause, ansinh.ActionAPIClientResume, ansinh.ActionAPIClientRevoke} {
		if ev, err := e.store.AuditEvents(t.Context(), store.AuditFilter{Action: action, Target: "client:kbnn.example.vn"}); err != nil || len(ev) != 1 || ev[0].Actor != "admin" {
			t.Errorf("audit %s: %v %v", action, ev, err)
		}
	}
}

func TestG2PClientRegistration(t *testing.T) {
	e := g2pEnv(t)
	admin := e.login("admin")
	if r := e.do("POST", "/api/v1/api-clients", e.login("so.ldtbxh"), map[string]any{"sender_id": "a.vn", "name": "A", "units": []string{"94"}}); r.StatusCode != 403 {
		t.Fatalf("a province officer registers a client: %d", r.StatusCode)
	}
	if r := e.do("GET", "/api/v1/api-clients", e.login("xa31498"), nil); r.StatusCode != 403 {
		t.Fatalf("a commune officer lists clients: %d", r.StatusCode)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"sender_id": "A B", "name": "A", "units": []string{"94"}}, "sender_id"},
		{map[string]any{"sender_id": "a.vn", "name": "", "units": []string{"94"}}, "name"},
		{map[string]any{"sender_id": "a.vn", "name": "A"}, "units"},
		{map[string]any{"sender_id": "a.vn", "name": "A", "units": []string{"99999"}}, "units"},
		{map[string]any{"sender_id": "a.vn", "name": "A", "units": []string{"94"}, "rate_limit": -1}, "rate_limit"},
		{map[string]any{"sender_id": "a.vn", "name": "A", "units": []string{"94"}, "public_key": "abc"}, "public_key"},
		{map[string]any{"sender_id": "a.vn", "name": "A", "units": []string{"94"}, "callback_url": "http://10.0.0.1/cb"}, "callback_url"},
		{map[string]any{"sender_id": "a.vn", "name": "A", "units": []string{"94"}, "callback_url": "https://u:p@pay.vn"}, "callback_url"},
	} {
		r := e.do("POST", "/api/v1/api-clients", admin, c.body)
		if r.StatusCode != 422 || !strings.Contains(string(r.body), `"`+c.field+`"`) {
			t.Errorf("%v: %d %s", c.body, r.StatusCode, r.body)
		}
	}
	e.addClient(nil)
	if r := e.do("POST", "/api/v1/api-clients", admin, map[string]any{"sender_id": "KBNN.example.vn", "name": "B", "units": []string{"94"}}); r.StatusCode != 409 {
		t.Errorf("the same sender twice: %d %s", r.StatusCode, r.body)
	}
}

// A client resolves only within its units: elsewhere a person, or an account, is not
// found.
func TestG2PClientUnits(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(map[string]any{"units": []string{"31569"}, "details": true})
	r := e.g2pDo("/g2p/mapper/sync/resolve", token, msg("m1",
		q("sau", "id", "cccd:"+sauCCCD+"@vn", "scope", "details"),
		q("sau-fa", "fa", sauFA, "scope", "details"),
		q("tam", "id", "cccd:"+tamCCCD+"@vn", "scope", "details"),
	))
	wantAnswers(t, decodeOnResolve(t, r).answers(), map[string]string{
		"sau":    "succ succ.id.not_found fa= id= bank=",
		"sau-fa": "succ succ.fa.not_found fa=" + sauFA + " id= bank=",
		"tam":    "succ succ.id.active fa=" + tamFA + " id=cccd:" + tamCCCD + "@vn bank=970436",
	})
}

func TestG2PRateLimit(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(map[string]any{"rate_limit": 2})
	for i := range 3 {
		r := e.g2pDo("/g2p/mapper/sync/resolve", token, msg(fmt.Sprint("m", i), q("r1", "id", "cccd:"+sauCCCD+"@vn")))
		want := 200
		if i == 2 {
			want = 429
		}
		if r.StatusCode != want {
			t.Fatalf("request %d: %d %s", i, r.StatusCode, r.body)
		}
		if i == 2 && (r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.body), "err.request.too_many_requests")) {
			t.Fatalf("429 without Retry-After or code: %s", r.body)
		}
	}
}

// Every resolve is audited with what was asked, as blind indexes only.
func TestG2PResolveIsAudited(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(map[string]any{"details": true})
	e.g2pDo("/g2p/mapper/sync/resolve", token, msg("m1", q("r1", "id", "cccd:"+sauCCCD+"@vn", "scope", "details"), q("r2", "fa", tamFA)))
	ev, err := e.store.AuditEvents(t.Context(), store.AuditFilter{Action: ansinh.ActionResolve})
	if err != nil || len(ev) != 1 {
		t.Fatalf("audit: %v %v", ev, err)
	}
	raw, _ := json.Marshal(ev[0])
	for _, secret := range []string{sauCCCD, tamAccount, sauAccount} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit holds %s: %s", secret, raw)
		}
	}
	if !strings.Contains(string(raw), e.store.BeneficiaryID(sauCCCD)) || !strings.Contains(string(raw), e.store.AccountIndex("970436", tamAccount)) ||
		ev[0].Actor != "client:kbnn.example.vn" || ev[0].Detail["message_id"] != "m1" {
		t.Errorf("the audit lacks what was asked: %s", raw)
	}
}

func TestG2PLinkUpdateUnlinkRefused(t *testing.T) {
	e := g2pEnv(t)
	token := e.addClient(nil)
	for _, action := range []string{"link", "update", "unlink"} {
		body := map[string]any{"header": map[string]any{"message_id": "l1", "message_ts": g2p.Timestamp(time.Now()), "action": action,
			"sender_id": "kbnn.example.vn", "total_count": 1},
			"message": map[string]any{"transaction_id": "t1", action + "_request": []any{map[string]any{"reference_id": "1",
				"timestamp": g2p.Timestamp(time.Now()), "id": "cccd:" + sauCCCD + "@vn", "fa": tamFA}}}}
		r := e.g2pDo("/g2p/mapper/sync/"+action, token, body)
		out := decodeOnResolve(t, r)
		if r.StatusCode != 400 || out.Header.Status != "rjct" || out.Header.ReasonCode != "rjct.action.not_supported" || out.Header.Action != "on-"+action {
			t.Errorf("sync %s: %d %s", action, r.StatusCode, r.body)
		}
		r = e.g2pDo("/g2p/mapper/"+action, token, body)
		if r.StatusCode != 400 || !strings.Contains(string(r.body), `"ack_status":"ERR"`) {
			t.Errorf("async %s: %d %s", action, r.StatusCode, r.body)
		}
		if r := e.g2pDo("/g2p/mapper/sync/"+action, "", body); r.StatusCode != 401 {
			t.Errorf("%s without a token: %d", action, r.StatusCode)
		}
	}
	// Nothing changed: Sáu is still paid into his own account.
	r := e.g2pDo("/g2p/mapper/sync/resolve", e.addClient(map[string]any{"sender_id": "b.vn", "details": true}),
		map[string]any{"header": map[string]any{"message_id": "r", "message_ts": g2p.Timestamp(time.Now()), "action": "resolve", "sender_id": "b.vn", "total_count": 1},
			"message": map[string]any{"transaction_id": "t", "resolve_request": []any{q("r1", "id", "cccd:"+sauCCCD+"@vn", "scope", "details")}}})
	if !strings.Contains(string(r.body), sauFA) {
		t.Errorf("after the refused links: %s", r.body)
	}
	if r := e.do("POST", "/g2p/mapper/nothing", "", nil); r.StatusCode != 404 || !strings.Contains(string(r.body), "err.request.not_found") {
		t.Errorf("unknown mapper path: %d %s", r.StatusCode, r.body)
	}
}

// g2pKey fetches ansinh's signing key as a client would.
func (e *env) g2pKey() ed25519.PublicKey {
	e.t.Helper()
	r := e.do("GET", "/g2p/mapper/keys", "", nil)
	var out struct {
		Keys []struct {
			Kid       string `json:"kid"`
			PublicKey string `json:"public_key"`
		} `json:"keys"`
	}
	r.decode(&out)
	if len(out.Keys) != 1 {
		e.t.Fatalf("keys: %s", r.body)
	}
	pub, err := base64.StdEncoding.DecodeString(out.Keys[0].PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize || !strings.HasPrefix(out.Keys[0].Kid, "localhost|") {
		e.t.Fatalf("keys: %s", r.body)
	}
	return pub
}

// verifyAnswer checks ansinh's signature on an answer body.
func verifyAnswer(t testing.TB, pub ed25519.PublicKey, body []byte) {
	t.Helper()
	var env g2p.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	if err := g2p.Verify(env.Signature, pub, "localhost", env.Header, env.Message, time.Now()); err != nil {
		t.Fatalf("ansinh's signature: %v on %s", err, body)
	}
}

// signed is a request body signed by key as sender.
func signed(t testing.TB, key ed25519.PrivateKey, sender string, m map[string]any, now time.Time) []byte {
	t.Helper()
	h, _ := json.Marshal(m["header"])
	b, _ := json.Marshal(m["message"])
	sig := g2p.Sign(key, sender, h, b, now, 5*time.Minute)
	return []byte(fmt.Sprintf(`{"signature":%q,"header":%s,"message":%s}`, sig, h, b))
}

// Property: a client that registered a key is answered only for messages it signed;
// every forgery or alteration is refused with the spec's signature errors, and the
// answers it gets are signed by ansinh.
func TestG2PForgedSignatureIsRefused(t *testing.T) {
	e := g2pEnv(t)
	pub, key, _ := ed25519.GenerateKey(nil)
	_, thief, _ := ed25519.GenerateKey(nil)
	token := e.addClient(map[string]any{"details": true, "public_key": base64.StdEncoding.EncodeToString(pub)})
	ansinhKey := e.g2pKey()
	now := time.Now()
	good := func(id string) map[string]any {
		return msg(id, q("r1", "id", "cccd:"+sauCCCD+"@vn", "scope", "details"))
	}

	r := e.g2pDo("/g2p/mapper/sync/resolve", token, signed(t, key, "kbnn.example.vn", good("ok"), now))
	if r.StatusCode != 200 || !strings.Contains(string(r.body), sauFA) {
		t.Fatalf("signed: %d %s", r.StatusCode, r.body)
	}
	verifyAnswer(t, ansinhKey, r.body)

	forgeries := map[string][]byte{
		"unsigned":          mustJSON(good("f1")),
		"another key":       signed(t, thief, "kbnn.example.vn", good("f2"), now),
		"another sender":    signed(t, key, "other.example.vn", good("f3"), now),
		"expired":           signed(t, key, "kbnn.example.vn", good("f4"), now.Add(-time.Hour)),
		"from the future":   signed(t, key, "kbnn.example.vn", good("f5"), now.Add(time.Hour)),
		"altered message":   []byte(strings.Replace(string(signed(t, key, "kbnn.example.vn", good("f6"), now)), sauCCCD, tamCCCD, 1)),
		"altered header":    []byte(strings.Replace(string(signed(t, key, "kbnn.example.vn", good("f7"), now)), `"total_count":1`, `"total_count":1 `, 1)),
		"garbage signature": []byte(strings.Replace(string(mustJSON(good("f8"))), `{"header"`, `{"signature":"Signature: nonsense","header"`, 1)),
	}
	// A signature whose bytes are flipped one at a time never verifies.
	base := string(signed(t, key, "kbnn.example.vn", good("f9"), now))
	at := strings.Index(base, `signature=\"`) + len(`signature=\"`)
	for i := range 8 {
		b := []byte(base)
		if b[at+i] == 'A' {
			b[at+i] = 'B'
		} else {
			b[at+i] = 'A'
		}
		forgeries[fmt.Sprint("flipped ", i)] = b
	}
	for name, body := range forgeries {
		r := e.g2pDo("/g2p/mapper/sync/resolve", token, body)
		want := "err.signature.invalid"
		if name == "unsigned" {
			want = "err.signature.missing"
		}
		if r.StatusCode != 401 || !strings.Contains(string(r.body), want) || strings.Contains(string(r.body), sauAccount) {
			t.Errorf("%s: %d %s", name, r.StatusCode, r.body)
		}
		if a := e.g2pDo("/g2p/mapper/resolve", token, body); a.StatusCode != 401 {
			t.Errorf("%s async: %d %s", name, a.StatusCode, a.body)
		}
	}
	// A refusal to a signed client is signed too.
	bad := good("v")
	bad["header"].(map[string]any)["version"] = "9"
	r = e.g2pDo("/g2p/mapper/sync/resolve", token, signed(t, key, "kbnn.example.vn", bad, now))
	if r.StatusCode != 400 {
		t.Fatalf("bad version: %d %s", r.StatusCode, r.body)
	}
	verifyAnswer(t, ansinhKey, r.body)
	if ev, _ := e.store.AuditEvents(t.Context(), store.AuditFilter{Action: ansinh.ActionResolveRefused}); len(ev) < len(forgeries) {
		t.Errorf("%d refusals audited, want at least %d", len(ev), len(forgeries))
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// paymentSystem is a payment system's fake: it takes on-resolve callbacks.
type paymentSystem struct {
	*httpServer
	mu       sync.Mutex
	received [][]byte
	paths    []string
	fail     bool
}

func newPaymentSystem(t *testing.T) *paymentSystem {
	p := &paymentSystem{}
	p.httpServer = newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		_, _ = fmt.Fprint(&b, readAll(r))
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.fail {
			w.WriteHeader(503)
			return
		}
		p.received = append(p.received, []byte(b.String()))
		p.paths = append(p.paths, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"message":{"ack_status":"ACK","timestamp":%q,"correlation_id":"x"}}`, g2p.Timestamp(time.Now()))
	}))
	return p
}

func (p *paymentSystem) bodies() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.received...)
}
