package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"ansinh"
)

func resolveBody(items ...map[string]string) map[string]any {
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return map[string]any{
		"header":  map[string]any{"version": "1.0.0", "message_id": "m1", "message_ts": "2026-11-25T10:00:00+07:00", "action": "resolve", "sender_id": "kho-bac", "total_count": len(items)},
		"message": map[string]any{"transaction_id": "t1", "resolve_request": list},
	}
}

func TestG2PResolve(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, receipt := e.submit(validRegistration("key-g2p-000001"))
	e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498"), nil)

	if r := e.do("POST", "/api/v1/api-clients", e.login("so.ldtbxh"), map[string]string{"name": "Bưu điện tỉnh"}); r.StatusCode != 403 {
		t.Fatalf("a province officer issues a client token: %d", r.StatusCode)
	}
	var client struct{ Token string }
	r := e.do("POST", "/api/v1/api-clients", e.login("admin"), map[string]string{"name": "Bưu điện tỉnh"})
	r.decode(&client)
	if r.StatusCode != 201 || len(client.Token) < 40 {
		t.Fatalf("client: %d %s", r.StatusCode, r.body)
	}
	for name, tok := range map[string]string{"none": "", "forged": "nope", "staff token": e.login("admin")} {
		if r := e.do("POST", "/g2p/mapper/sync/resolve", tok, resolveBody()); r.StatusCode != 401 || r.errorCode() != ansinh.EUNAUTHORIZED {
			t.Fatalf("%s: %d", name, r.StatusCode)
		}
	}
	r = e.do("POST", "/g2p/mapper/sync/resolve", client.Token, resolveBody(
		map[string]string{"reference_id": "r1", "timestamp": "2026-11-25T10:00:00+07:00", "id": "cccd:" + sauCCCD + "@vn", "scope": "details"},
		map[string]string{"reference_id": "r2", "timestamp": "2026-11-25T10:00:00+07:00", "fa": "account:123456789012@970405"},
		map[string]string{"reference_id": "r3", "timestamp": "2026-11-25T10:00:00+07:00", "id": "cccd:094152000111@vn"},
		map[string]string{"reference_id": "r4", "timestamp": "2026-11-25T10:00:00+07:00", "id": "cccd:094999999999@vn"},
		map[string]string{"reference_id": "r5", "timestamp": "2026-11-25T10:00:00+07:00", "id": "someone"},
		map[string]string{"reference_id": "r6", "timestamp": "2026-11-25T10:00:00+07:00", "fa": "account:1@1"},
		map[string]string{"reference_id": "r7", "timestamp": "2026-11-25T10:00:00+07:00", "id": "cccd:" + sauCCCD + "@vn", "scope": "yes_no"},
	))
	var out struct {
		Header struct {
			Action, Status string
		}
		Message struct {
			TransactionID string `json:"transaction_id"`
			Items         []struct {
				ReferenceID string `json:"reference_id"`
				FA, ID      string
				Status      string
				Reason      *string                `json:"status_reason_code"`
				Provider    *struct{ Code string } `json:"account_provider_info"`
			} `json:"resolve_response"`
		}
	}
	r.decode(&out)
	if r.StatusCode != 200 || out.Header.Action != "on-resolve" || out.Header.Status != "succ" || out.Message.TransactionID != "t1" || len(out.Message.Items) != 7 {
		t.Fatalf("resolve: %d %s", r.StatusCode, r.body)
	}
	got := map[string]string{}
	for _, it := range out.Message.Items {
		reason := ""
		if it.Reason != nil {
			reason = *it.Reason
		}
		got[it.ReferenceID] = fmt.Sprintf("%s %s fa=%s id=%s", it.Status, reason, it.FA, it.ID)
	}
	want := map[string]string{
		"r1": "succ succ.id.active fa=account:123456789012@970405 id=cccd:" + sauCCCD + "@vn",
		"r2": "succ succ.fa.active fa=account:123456789012@970405 id=cccd:" + sauCCCD + "@vn",
		"r3": "succ succ.fa.not_linked_to_id fa= id=",
		"r4": "succ succ.id.not_found fa= id=",
		"r5": "rjct rjct.id.invalid fa= id=",
		"r6": "rjct rjct.fa.invalid fa= id=",
		"r7": "succ succ.id.active fa= id=",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	bad := resolveBody(map[string]string{"reference_id": "r1", "timestamp": "x", "id": "cccd:" + sauCCCD + "@vn"})
	bad["header"].(map[string]any)["total_count"] = 5
	if r := e.do("POST", "/g2p/mapper/sync/resolve", client.Token, bad); r.StatusCode != 422 || !strings.Contains(string(r.body), "total_count") {
		t.Fatalf("wrong total_count: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("POST", "/g2p/mapper/sync/resolve", client.Token, `{"header":`); r.StatusCode != 400 {
		t.Fatalf("malformed: %d", r.StatusCode)
	}
	many := make([]map[string]string, 101)
	for i := range many {
		many[i] = map[string]string{"reference_id": fmt.Sprint(i), "timestamp": "2026-11-25T10:00:00+07:00", "id": "cccd:" + sauCCCD + "@vn"}
	}
	r = e.do("POST", "/g2p/mapper/sync/resolve", client.Token, resolveBody(many...))
	if r.StatusCode != 200 || !strings.Contains(string(r.body), "rjct.total_count.limit_exceeded") {
		t.Fatalf("101 items: %d %.300s", r.StatusCode, r.body)
	}
}
