package registration_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/registration"
	"ansinh/store"
	"ansinh/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type fixture struct {
	st  *store.Store
	svc *registration.Service
	now time.Time
	b   *ansinh.Beneficiary
}

func setup(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{st: storetest.New(t), now: time.Now()}
	f.svc = registration.New(f.st, "secret-key-secret-key-secret-key-01", func() time.Time { return f.now })
	rows := []*ansinh.ImportRow{{Beneficiary: ansinh.Beneficiary{Name: "Nguyễn Văn Sáu", CCCD: "094050001234", BirthDate: "1950-03-05",
		Commune: "31498", Group: ansinh.GroupNCC, Eligible: true}}}
	if _, err := f.st.InsertImported(context.Background(), rows, f.now); err != nil {
		t.Fatal(err)
	}
	b, err := f.st.Beneficiary(context.Background(), f.st.BeneficiaryID("094050001234"))
	if err != nil {
		t.Fatal(err)
	}
	f.b = b
	return f
}

func TestPersonalTokens(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	token, exp, err := f.svc.IssueToken(ctx, f.b.ID, "xa")
	if err != nil || !exp.After(f.now.Add(179*24*time.Hour)) || strings.Contains(token, "094050001234") {
		t.Fatalf("issue: %q %v %v", token, exp, err)
	}
	if id, err := f.svc.TokenBeneficiary(ctx, token); err != nil || id != f.b.ID {
		t.Fatalf("valid token: %q %v", id, err)
	}
	id, sig, _ := strings.Cut(token, ".")
	for name, bad := range map[string]string{"tampered signature": id + "." + strings.Repeat("A", len(sig)), "no signature": id,
		"other id": strings.Repeat("B", len(id)) + "." + sig, "empty": ""} {
		if _, err := f.svc.TokenBeneficiary(ctx, bad); ansinh.ErrorCode(err) != ansinh.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	f.now = f.now.Add(181 * 24 * time.Hour)
	if _, err := f.svc.TokenBeneficiary(ctx, token); ansinh.ErrorCode(err) != ansinh.EINVALID {
		t.Fatalf("expired token: %v", err)
	}
	f.now = f.now.Add(-181 * 24 * time.Hour)
	info, _ := f.svc.TokenInfo(ctx, token)
	if err := f.svc.RevokeToken(ctx, info, "xa"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.TokenBeneficiary(ctx, token); ansinh.ErrorCode(err) != ansinh.EINVALID {
		t.Fatalf("revoked token: %v", err)
	}
}

func TestProofsExpireAndCannotBeForged(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	proof := f.svc.Proof(f.b.ID)
	if b, err := f.svc.CheckProof(ctx, proof); err != nil || b.ID != f.b.ID {
		t.Fatalf("fresh proof: %v", err)
	}
	parts := strings.Split(proof, ".")
	forged := parts[0] + "." + "9999999999" + "." + parts[2]
	if _, err := f.svc.CheckProof(ctx, forged); ansinh.ErrorCode(err) != ansinh.EINVALID {
		t.Fatalf("a proof with its expiry moved: %v", err)
	}
	f.now = f.now.Add(31 * time.Minute)
	if _, err := f.svc.CheckProof(ctx, proof); ansinh.ErrorCode(err) != ansinh.EINVALID {
		t.Fatalf("a 31-minute-old proof: %v", err)
	}
}

func TestReceiptsFollowTheIdempotencyKey(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	req := func(key string) *ansinh.RegistrationRequest {
		return &ansinh.RegistrationRequest{Submitter: ansinh.SubmitterSelf, BankBIN: "970405", AccountNumber: "123456789012",
			AccountName: "Nguyen Van Sau", Consent: true, IdempotencyKey: key}
	}
	first, replay, err := f.svc.SubmitFor(ctx, f.b, req("key-aaaaaaaa"), ansinh.ChannelQR)
	if err != nil || replay {
		t.Fatalf("first: %v %v", replay, err)
	}
	again, replay, err := f.svc.SubmitFor(ctx, f.b, req("key-aaaaaaaa"), ansinh.ChannelQR)
	if err != nil || !replay || again != first {
		t.Fatalf("repeat: %s %v %v", again, replay, err)
	}
	other, _, _ := f.svc.SubmitFor(ctx, f.b, req("key-bbbbbbbb"), ansinh.ChannelQR)
	if other == first {
		t.Fatal("two keys gave one receipt")
	}
	if _, ok := ansinh.NormalizeReceipt(first); !ok {
		t.Fatalf("receipt %q is not a receipt", first)
	}
}
