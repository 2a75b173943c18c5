package g2ptest_test

import (
	"strings"
	"testing"

	"ansinh/g2p/g2ptest"
	"ansinh/handlers/openapi"
)

// The checker refuses what the published schema refuses: the answers of the first
// mapper among them (nulls, a null list, an unbounded transaction id, our own error
// body).
func TestSchemasRefuseWhatTheSpecRefuses(t *testing.T) {
	s, err := g2ptest.Load(openapi.Document)
	if err != nil {
		t.Fatal(err)
	}
	good := `{"header":{"message_id":"1","message_ts":"2026-11-25T10:00:00+07:00","action":"on-resolve","status":"succ","total_count":1,"completed_count":1},
	 "message":{"transaction_id":"t","correlation_id":"c","resolve_response":[{"reference_id":"r","timestamp":"2026-11-25T10:00:00Z","status":"succ","status_reason_code":"succ.id.active","fa":"account:1234567@970405","account_provider_info":{"name":"Agribank","code":"970405"}}]}}`
	if p := s.Check("G2POnResolve", []byte(good)); len(p) > 0 {
		t.Fatalf("a valid answer refused: %v", p)
	}
	for name, c := range map[string]struct{ from, to, schema string }{
		"null reason message":       {`"status_reason_code":"succ.id.active"`, `"status_reason_code":"succ.id.active","status_reason_message":null`, "G2POnResolve"},
		"null reason code":          {`"status_reason_code":"succ.id.active"`, `"status_reason_code":null`, "G2POnResolve"},
		"null list":                 {`"resolve_response":[{"reference_id":"r","timestamp":"2026-11-25T10:00:00Z","status":"succ","status_reason_code":"succ.id.active","fa":"account:1234567@970405","account_provider_info":{"name":"Agribank","code":"970405"}}]`, `"resolve_response":null`, "G2POnResolve"},
		"long transaction id":       {`"transaction_id":"t"`, `"transaction_id":"` + strings.Repeat("t", 120) + `"`, "G2POnResolve"},
		"unknown reason":            {`succ.id.active`, `succ.id.found`, "G2POnResolve"},
		"unknown status":            {`"status":"succ","total_count"`, `"status":"ok","total_count"`, "G2POnResolve"},
		"bad timestamp":             {`2026-11-25T10:00:00Z`, `25/11/2026`, "G2POnResolve"},
		"no header":                 {`{"header":{"message_id":"1","message_ts":"2026-11-25T10:00:00+07:00","action":"on-resolve","status":"succ","total_count":1,"completed_count":1},`, `{`, "G2POnResolve"},
		"provider without code":     {`,"code":"970405"`, ``, "G2POnResolve"},
		"count as text":             {`"total_count":1`, `"total_count":"1"`, "G2POnResolve"},
		"header code from elsewere": {`"status":"succ","total_count"`, `"status":"rjct","status_reason_code":"rjct.id.invalid","total_count"`, "G2POnResolve"},
	} {
		body := strings.Replace(good, c.from, c.to, 1)
		if body == good {
			t.Fatalf("%s: the case changes nothing", name)
		}
		if p := s.Check(c.schema, []byte(body)); len(p) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
	if p := s.Check("G2POnResolve", []byte(`{"error":{"code":"validation","message":"x"}}`)); len(p) == 0 {
		t.Error("ansinh's own error body accepted as an on-resolve answer")
	}
	if p := s.Check("G2PHTTPError", []byte(`{"error":{"code":"unauthorized","message":"x"}}`)); len(p) == 0 {
		t.Error("ansinh's own error body accepted as an HTTP error")
	}
	if p := s.Check("G2PAck", []byte(`{"message":{"ack_status":"OK","timestamp":"2026-11-25T10:00:00Z","correlation_id":"c"}}`)); len(p) == 0 {
		t.Error("an unknown ack status accepted")
	}
}
