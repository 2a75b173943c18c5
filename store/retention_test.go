package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
	"ansinh/store/storetest"
)

var retentionPolicy = ansinh.RetentionConfig{Submissions: 90 * 24 * time.Hour, Chat: 30 * 24 * time.Hour}

// retentionPerson imports one person of Phường 5 and returns the record id.
func retentionPerson(t *testing.T, s *store.Store, n int) string {
	t.Helper()
	cccd := fmt.Sprintf("0940500%05d", 700+n)
	row := &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: fmt.Sprintf("Người Giữ %d", n), CCCD: cccd, BirthDate: "1950",
		Commune: "31498", Group: ansinh.GroupBTXH, Eligible: true}}
	if _, err := s.InsertImported(ctx(t), []*ansinh.ImportRow{row}, time.Now()); err != nil {
		t.Fatal(err)
	}
	return s.BeneficiaryID(cccd)
}

// retentionSubmission stores a proxy's submission for a person at a time.
func retentionSubmission(t *testing.T, s *store.Store, id, holder string, at time.Time) *ansinh.Registration {
	t.Helper()
	r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: id, Commune: "31498", Submitter: ansinh.SubmitterProxy,
		Proxy:   &ansinh.Proxy{Name: "Người Nhận " + holder, CCCD: "094090001111", Phone: "0912345678", Relationship: "con"},
		BankBIN: "970418", AccountNumber: "99998888" + fmt.Sprint(at.Unix()%10000), AccountName: holder, Phone: "0987654321",
		Channel: ansinh.ChannelZalo, SubmittedAt: at}
	if _, err := lifecycle(s).Record(ctx(t), r); err != nil {
		t.Fatal(err)
	}
	r.Status = ansinh.StatusPending
	return r
}

func decide(t *testing.T, s *store.Store, r *ansinh.Registration, status string, at time.Time) {
	t.Helper()
	d := &ansinh.Decision{Receipt: r.Receipt, Status: status, Reason: "wrong_holder", By: "xa31498", At: at}
	if status == ansinh.StatusVerified {
		d.Reason = ""
	}
	if _, err := lifecycle(s).RecordDecision(ctx(t), r, d); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseDecision(ctx(t), r.Receipt); err != nil {
		t.Fatal(err)
	}
}

// TestRetentionErasesWhatIsDueAndNothingElse: after the periods, a rejected or
// superseded submission loses its personal data and old chat documents go; newer ones,
// pending or verified submissions, unprocessed events and unsent messages stay.
func TestRetentionErasesWhatIsDueAndNothingElse(t *testing.T) {
	s := storetest.New(t)
	now := time.Now()
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

	oldRejected := retentionSubmission(t, s, retentionPerson(t, s, 1), "NGUOI NHAN MOT", days(101))
	decide(t, s, oldRejected, ansinh.StatusRejected, days(100))
	newRejected := retentionSubmission(t, s, retentionPerson(t, s, 2), "NGUOI NHAN HAI", days(11))
	decide(t, s, newRejected, ansinh.StatusRejected, days(10))
	p3 := retentionPerson(t, s, 3)
	superseded := retentionSubmission(t, s, p3, "NGUOI NHAN BA", days(120))
	superseding := retentionSubmission(t, s, p3, "NGUOI NHAN BA MOI", days(100))
	decide(t, s, superseding, ansinh.StatusVerified, days(95))
	pending := retentionSubmission(t, s, retentionPerson(t, s, 4), "NGUOI NHAN BON", days(200))
	verified := retentionSubmission(t, s, retentionPerson(t, s, 5), "NGUOI NHAN NAM", days(201))
	decide(t, s, verified, ansinh.StatusVerified, days(200))

	for _, c := range []struct {
		id string
		at time.Time
	}{{"zalo:old", days(31)}, {"zalo:new", days(29)}} {
		if err := s.SaveConversation(ctx(t), c.id, "bank", map[string]string{"cccd": "094050000001"}, c.at); err != nil {
			t.Fatal(err)
		}
	}
	for _, ev := range []struct {
		key  string
		at   time.Time
		done bool
	}{{"ev-old", days(31), true}, {"ev-old-pending", days(31), false}, {"ev-new", days(1), true}} {
		if _, err := s.SaveEvent(ctx(t), ev.key, "u", []byte(`{"x":1}`), ev.at); err != nil {
			t.Fatal(err)
		}
		if ev.done {
			if err := s.EventDone(ctx(t), ev.key); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range []struct {
		id, status string
		at         time.Time
	}{{"m-old-sent", store.OutboxSent, days(31)}, {"m-old-failed", store.OutboxFailed, days(31)}, {"m-old-pending", store.OutboxPending, days(31)},
		{"m-new-sent", store.OutboxSent, days(2)}} {
		if err := s.Enqueue(ctx(t), m.id, "zalo", "u", []byte(`{"text":"x"}`), m.at); err != nil {
			t.Fatal(err)
		}
		switch m.status {
		case store.OutboxSent:
			if err := s.Sent(ctx(t), m.id, "r", m.at); err != nil {
				t.Fatal(err)
			}
		case store.OutboxFailed:
			if err := s.GiveUp(ctx(t), m.id, 1, "refused", m.at); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, r := range []*ansinh.Registration{oldRejected, newRejected, pending} {
		if err := s.LinkReceipt(ctx(t), r.Receipt, "zalo", "u"); err != nil {
			t.Fatal(err)
		}
	}

	want := ansinh.RetentionReport{Submissions: 2, Conversations: 1, Events: 1, Messages: 2, ChatLinks: 1}
	dry, err := s.ApplyRetention(ctx(t), retentionPolicy, now, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := *dry; got.Submissions != want.Submissions || got.Conversations != want.Conversations || got.Events != want.Events ||
		got.Messages != want.Messages || got.ChatLinks != want.ChatLinks || !got.DryRun {
		t.Fatalf("dry run %+v, want %+v", got, want)
	}
	if keeps(t, s, oldRejected.Receipt) != true {
		t.Fatal("the dry run erased")
	}
	rep, err := s.ApplyRetention(ctx(t), retentionPolicy, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := *rep; got != want {
		t.Fatalf("run %+v, want %+v", got, want)
	}

	for _, c := range []struct {
		name string
		r    *ansinh.Registration
		kept bool
	}{
		{"rejected 100 days ago", oldRejected, false},
		{"rejected 10 days ago", newRejected, true},
		{"superseded 100 days ago", superseded, false},
		{"verified, superseding", superseding, true},
		{"pending for 200 days", pending, true},
		{"verified 200 days ago", verified, true},
	} {
		if got := keeps(t, s, c.r.Receipt); got != c.kept {
			t.Errorf("%s: keeps its personal data %v, want %v", c.name, got, c.kept)
		}
		reg, err := s.Registration(ctx(t), c.r.Receipt)
		if err != nil || reg.Receipt != c.r.Receipt || reg.ErasedAt.IsZero() == !c.kept {
			t.Errorf("%s: %+v, %v", c.name, reg, err)
		}
		if _, err := s.RevealRegistration(ctx(t), c.r.Receipt); err != nil {
			t.Errorf("%s: reveal: %v", c.name, err)
		}
	}
	if shared, err := s.SharedAccount(ctx(t), newRejected); err != nil || len(shared) != 0 {
		t.Fatalf("shared %v %v", shared, err)
	}
	for _, c := range []struct {
		col, id string
		kept    bool
	}{
		{"conversations", "zalo:old", false}, {"conversations", "zalo:new", true},
		{"chat_events", "ev-old", false}, {"chat_events", "ev-old-pending", true}, {"chat_events", "ev-new", true},
		{"outbox", "m-old-sent", false}, {"outbox", "m-old-failed", false}, {"outbox", "m-old-pending", true}, {"outbox", "m-new-sent", true},
		{"chat_receipts", oldRejected.Receipt, false}, {"chat_receipts", newRejected.Receipt, true}, {"chat_receipts", pending.Receipt, true},
	} {
		_, err := s.RawForTest(ctx(t), c.col, c.id)
		if got := err == nil; got != c.kept {
			t.Errorf("%s %s kept %v, want %v (%v)", c.col, c.id, got, c.kept, err)
		}
	}
	// The next run finds nothing more.
	again, err := s.ApplyRetention(ctx(t), retentionPolicy, now.Add(time.Hour), false)
	if err != nil || again.Total() != 0 {
		t.Fatalf("second run %+v, %v", again, err)
	}
}

// keeps reports whether a stored submission still holds its personal data.
func keeps(t *testing.T, s *store.Store, receipt string) bool {
	t.Helper()
	raw, err := s.RawForTest(ctx(t), "registrations", receipt)
	if err != nil {
		t.Fatal(err)
	}
	fields := []string{"account_enc", "account_last4", "account_index", "account_name", "phone_enc", "proxy"}
	n := 0
	for _, f := range fields {
		if _, err := raw.LookupErr(f); err == nil {
			n++
		}
	}
	if n != 0 && n != len(fields) {
		t.Fatalf("%s: half erased: %s", receipt, raw)
	}
	return n == len(fields)
}

// TestRetentionLeavesNothingInTheFiles: an erased submission's holder and proxy names
// are gone from the embedded store's files, not only from its documents.
func TestRetentionLeavesNothingInTheFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(ctx(t), store.Options{DataDir: dir, EmbeddedAddr: "127.0.0.1:0", DBName: "ansinh", Logger: storetest.Logger(),
		Vault: storetest.Vault(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	now := time.Now()
	r := retentionSubmission(t, s, retentionPerson(t, s, 9), "XOA HET DAU VET", now.Add(-200*24*time.Hour))
	decide(t, s, r, ansinh.StatusRejected, now.Add(-100*24*time.Hour))
	// A chat user's message, deleted whole (an erased submission is rewritten instead).
	if err := s.Enqueue(ctx(t), "m-xoa", "zalo", "ZALO-USER-XOA-HET", []byte(`{}`), now.Add(-40*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Sent(ctx(t), "m-xoa", "r", now.Add(-40*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(filesHolding(t, dir, "XOA HET DAU VET", "ZALO-USER-XOA-HET")) < 2 {
		t.Fatal("the holder and the chat user are not in the files: the test proves nothing")
	}
	if _, err := s.ApplyRetention(ctx(t), retentionPolicy, now, false); err != nil {
		t.Fatal(err)
	}
	if left := filesHolding(t, dir, "XOA HET DAU VET", "ZALO-USER-XOA-HET"); len(left) > 0 {
		t.Fatalf("after the erasure: %v", left)
	}
}

// TestRetentionErasesTheAuthorisationPhoto: the photo of a proxy's authorisation goes
// with the rest of a rejected submission's personal data; a verified one's stays.
func TestRetentionErasesTheAuthorisationPhoto(t *testing.T) {
	s := storetest.New(t)
	now := time.Now()
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	rejected := retentionSubmission(t, s, retentionPerson(t, s, 1), "NGUOI NHAN MOT", days(101))
	decide(t, s, rejected, ansinh.StatusRejected, days(100))
	verified := retentionSubmission(t, s, retentionPerson(t, s, 2), "NGUOI NHAN HAI", days(201))
	decide(t, s, verified, ansinh.StatusVerified, days(200))
	for _, r := range []*ansinh.Registration{rejected, verified} {
		if err := s.SaveAuthorisation(ctx(t), &ansinh.Authorisation{Receipt: r.Receipt, BeneficiaryID: r.BeneficiaryID, Commune: r.Commune,
			ContentType: "image/png", Image: []byte("a photo"), At: r.SubmittedAt}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ApplyRetention(ctx(t), retentionPolicy, now, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authorisation(ctx(t), rejected.Receipt); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("the rejected submission's photo: %v", err)
	}
	if a, err := s.Authorisation(ctx(t), verified.Receipt); err != nil || string(a.Image) != "a photo" {
		t.Fatalf("the verified submission's photo: %+v, %v", a, err)
	}
}
