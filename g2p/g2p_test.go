package g2p_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ansinh/g2p"
)

func TestSignAndVerify(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	otherPub, _, _ := ed25519.GenerateKey(nil)
	h, m := []byte(`{"message_id":"1"}`), []byte(`{"transaction_id":"t"}`)
	now := time.Unix(1_800_000_000, 0)
	sig := g2p.Sign(key, "pay.example.vn", h, m, now, time.Minute)
	if !strings.HasPrefix(sig, `Signature: namespace="g2p", kidId="pay.example.vn|`+g2p.KeyID(pub)+`|ed25519", algorithm="ed25519"`) {
		t.Fatalf("signature header: %s", sig)
	}
	if err := g2p.Verify(sig, pub, "PAY.example.vn", h, m, now.Add(30*time.Second)); err != nil {
		t.Fatalf("verify: %v", err)
	}
	for name, c := range map[string]struct {
		sig, sender string
		pub         ed25519.PublicKey
		h, m        []byte
		at          time.Time
	}{
		"another key":     {sig, "pay.example.vn", otherPub, h, m, now},
		"another sender":  {sig, "x.vn", pub, h, m, now},
		"header changed":  {sig, "pay.example.vn", pub, []byte(`{"message_id":"2"}`), m, now},
		"message changed": {sig, "pay.example.vn", pub, h, []byte(`{"transaction_id":"u"}`), now},
		"expired":         {sig, "pay.example.vn", pub, h, m, now.Add(2 * time.Minute)},
		"not yet":         {sig, "pay.example.vn", pub, h, m, now.Add(-time.Hour)},
		"empty":           {"", "pay.example.vn", pub, h, m, now},
		"unquoted":        {`Signature: kidId=x`, "pay.example.vn", pub, h, m, now},
		"other algorithm": {strings.Replace(sig, `algorithm="ed25519"`, `algorithm="rsa"`, 1), "pay.example.vn", pub, h, m, now},
		"other headers":   {strings.Replace(sig, `(created) (expires) digest`, `digest`, 1), "pay.example.vn", pub, h, m, now},
	} {
		if err := g2p.Verify(c.sig, c.pub, c.sender, c.h, c.m, c.at); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestParseIDAndFA(t *testing.T) {
	for _, s := range []string{"cccd:094050001234@vn", "CCCD:094050001234@VN", " cccd:094050001234@Vn "} {
		if c, ok := g2p.ParseID(s); !ok || c != "094050001234" {
			t.Errorf("%q: %q %v", s, c, ok)
		}
	}
	for _, s := range []string{"cccd:94050001234@vn", "cccd:094050001234@nid", "094050001234", "cccd:0940500012345@vn"} {
		if _, ok := g2p.ParseID(s); ok {
			t.Errorf("%q parsed", s)
		}
	}
	if n, b, ok := g2p.ParseFA("ACCOUNT:123456789012@970405"); !ok || n != "123456789012" || b != "970405" {
		t.Errorf("fa: %q %q %v", n, b, ok)
	}
	if _, _, ok := g2p.ParseFA("token:12345@gtbank"); ok {
		t.Error("a token address parsed")
	}
}

func TestAnswersNeverWriteNull(t *testing.T) {
	b, err := g2p.Encode(g2p.CallbackHeader{MessageID: "1"}, g2p.ResolveResponse{TransactionID: "t", Answers: []g2p.ResolveAnswer{{ReferenceID: "r"}}}, nil)
	if err != nil || strings.Contains(string(b), "null") || strings.Contains(string(b), "status_reason") || strings.Contains(string(b), "signature") {
		t.Fatalf("%s %v", b, err)
	}
	if !json.Valid(b) {
		t.Fatalf("not JSON: %s", b)
	}
}

func TestCheckHeader(t *testing.T) {
	now := time.Now()
	n := 1
	ok := g2p.Header{Version: "1.0.0", MessageID: "m", MessageTS: g2p.Timestamp(now), Action: "resolve", SenderID: "s", TotalCount: &n}
	if r := g2p.CheckHeader(&ok, "resolve", now); r != nil {
		t.Fatalf("valid header refused: %v", r)
	}
	for name, c := range map[string]struct {
		mutate func(h *g2p.Header)
		code   string
	}{
		"version":      {func(h *g2p.Header) { h.Version = "1.1.0" }, g2p.HdrVersionInvalid},
		"ts":           {func(h *g2p.Header) { h.MessageTS = "2026-11-25 10:00" }, g2p.HdrMessageTSInvalid},
		"old ts":       {func(h *g2p.Header) { h.MessageTS = g2p.Timestamp(now.Add(-8 * 24 * time.Hour)) }, g2p.HdrMessageTSInvalid},
		"future ts":    {func(h *g2p.Header) { h.MessageTS = g2p.Timestamp(now.Add(time.Hour)) }, g2p.HdrMessageTSInvalid},
		"action":       {func(h *g2p.Header) { h.Action = "search" }, g2p.HdrActionInvalid},
		"no count":     {func(h *g2p.Header) { h.TotalCount = nil }, g2p.HdrTotalCountInvalid},
		"no id":        {func(h *g2p.Header) { h.MessageID = "" }, ""},
		"encrypted":    {func(h *g2p.Header) { h.IsMsgEncrypted = true }, ""},
		"long message": {func(h *g2p.Header) { h.MessageID = strings.Repeat("m", 129) }, ""},
	} {
		h := ok
		c.mutate(&h)
		r := g2p.CheckHeader(&h, "resolve", now)
		if r == nil || r.Code != c.code || r.Err == "" {
			t.Errorf("%s: %+v", name, r)
		}
	}
}
