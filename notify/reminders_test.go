package notify_test

import (
	"context"
	"fmt"
	"testing"

	"ansinh"
	"ansinh/notify"
)

// people adds beneficiaries of commune to the rig's store, by CCCD.
func (r *rig) people(commune string, cccds ...string) map[string]*ansinh.Beneficiary {
	r.t.Helper()
	ctx := context.Background()
	var rows []*ansinh.ImportRow
	for i, c := range cccds {
		rows = append(rows, &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Người Số " + string(rune('A'+i)), CCCD: c,
			BirthDate: "1950-01-0" + string(rune('1'+i)), Commune: commune, Group: ansinh.GroupBTXH, Eligible: true}})
	}
	if _, err := r.st.InsertImported(ctx, rows, r.clock); err != nil {
		r.t.Fatal(err)
	}
	out := map[string]*ansinh.Beneficiary{}
	for _, c := range cccds {
		b, err := r.st.Beneficiary(ctx, r.st.BeneficiaryID(c))
		if err != nil {
			r.t.Fatal(err)
		}
		out[c] = b
	}
	return out
}

// submitFor registers an account for b on the web form and returns the receipt.
func (r *rig) submitFor(b *ansinh.Beneficiary, consent, withPhone bool) string {
	r.t.Helper()
	req := &ansinh.RegistrationRequest{Submitter: ansinh.SubmitterSelf, BankBIN: "970405", AccountNumber: "123456789012",
		AccountName: "Nguyen Van Sau", Consent: true, NotifyConsent: consent, IdempotencyKey: "key-" + ansinh.RandomToken(8)}
	if withPhone {
		req.Phone = phone
	}
	receipt, _, err := r.reg.SubmitFor(context.Background(), b, req, ansinh.ChannelQR)
	if err != nil {
		r.t.Fatal(err)
	}
	return receipt
}

func (r *rig) queued(id string) bool {
	r.t.Helper()
	_, err := r.st.NoticeStatus(context.Background(), id)
	switch ansinh.ErrorCode(err) {
	case "":
		return true
	case ansinh.ENOTFOUND:
		return false
	}
	r.t.Fatal(err)
	return false
}

// TestRemindersGoOnlyToThoseWhoAgreed: of the commune's people with no account, only
// the one who agreed to be told and left a phone is reminded; a person never asked, a
// person who said no, one with no phone and one whose submission awaits the commune
// are counted and told nothing; someone with an account and the other commune's
// people are not looked at. A second run the same month queues nothing; the next
// month's does; the reminder keeps to the sending hours and goes by template.
func TestRemindersGoOnlyToThoseWhoAgreed(t *testing.T) {
	r := newRig(t)
	r.svc.Templates.Reminder = "tpl-reminder"
	ctx := context.Background()
	const (
		agreed, never, refused, nophone, pending, paid = "094150000001", "094150000002", "094150000003", "094150000004", "094150000005", "094150000006"
		elsewhere                                      = "094150000007"
	)
	ps := r.people("31498", agreed, never, refused, nophone, pending, paid)
	other := r.people("31569", elsewhere)
	r.decide(r.submitFor(ps[agreed], true, true), ansinh.StatusRejected)
	r.decide(r.submitFor(ps[refused], false, true), ansinh.StatusRejected)
	r.decide(r.submitFor(ps[nophone], true, false), ansinh.StatusRejected)
	r.submitFor(ps[pending], true, true)
	r.decide(r.submitFor(ps[paid], true, true), ansinh.StatusVerified)
	r.decide(r.submitFor(other[elsewhere], true, true), ansinh.StatusRejected)
	r.send() // the decisions' own notices go first
	before := len(r.zalo.sent("/message/template"))

	r.clock = at(2, 23, 0)
	got, err := r.svc.Remind(ctx, []string{"31498"}, "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	// r.b (Nguyễn Văn Sáu, of the rig) never submitted either.
	want := ansinh.ReminderCounts{Queued: 1, NoConsent: 3, NoChannel: 1, Pending: 1}
	if got != want {
		t.Fatalf("counts %+v, want %+v", got, want)
	}
	for c, b := range map[string]*ansinh.Beneficiary{never: ps[never], refused: ps[refused], nophone: ps[nophone], pending: ps[pending],
		paid: ps[paid], elsewhere: other[elsewhere]} {
		if r.queued(notify.ReminderID("2026-12", b.ID)) {
			t.Errorf("a reminder was queued for %s", c)
		}
	}
	if !r.queued(notify.ReminderID("2026-12", ps[agreed].ID)) {
		t.Fatal("no reminder for the person who agreed")
	}

	r.send() // 23:00: held until 06:00
	if n := len(r.zalo.sent("/message/template")); n != before {
		t.Fatalf("a reminder went at 23:00 (%d messages)", n-before)
	}
	r.clock = at(3, 6, 0)
	r.send()
	sent := r.zalo.sent("/message/template")
	if len(sent) != before+1 || sent[before]["template_id"] != "tpl-reminder" || sent[before]["phone"] != "84912345678" {
		t.Fatalf("the reminder: %v", sent[before:])
	}
	if data, _ := sent[before]["template_data"].(map[string]any); data[notify.ParamMonth] != "12/2026" {
		t.Fatalf("template data %v", sent[before]["template_data"])
	}

	again, err := r.svc.Remind(ctx, []string{"31498"}, "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	if want := (ansinh.ReminderCounts{Already: 1, NoConsent: 3, NoChannel: 1, Pending: 1}); again != want {
		t.Fatalf("the same month again: %+v, want %+v", again, want)
	}
	r.send()
	if len(r.zalo.sent("/message/template")) != before+1 {
		t.Fatal("a rerun sent the reminder again")
	}
	next, err := r.svc.Remind(ctx, []string{"31498"}, "2027-01")
	if err != nil || next.Queued != 1 {
		t.Fatalf("the next month: %+v %v", next, err)
	}
}

// TestReminderMonth: a month is YYYY-MM; nothing is queued for anything else.
func TestReminderMonth(t *testing.T) {
	r := newRig(t)
	for _, m := range []string{"2026-13", "2026-1", "12-2026", "2026-12-01", "abcd-ef", "2026-12\x00"} {
		if _, err := r.svc.Remind(context.Background(), []string{"31498"}, m); ansinh.ErrorCode(err) != ansinh.EINVALID {
			t.Errorf("month %q: %v", m, err)
		}
	}
	if m, err := notify.ParseMonth("", at(2, 9, 0)); err != nil || m != "2026-12" {
		t.Fatalf("default month %q %v", m, err)
	}
}

// TestRemindersAfterAReturnedPaymentOrAWithdrawal: a person whose payment came back
// (the account dropped) is reminded, under the consent of the submission that gave
// the account; a person who withdrew consent to be paid into an account is not, even
// with consent to be told. With no template set, the reminder goes by SMS in its own
// words.
func TestRemindersAfterAReturnedPaymentOrAWithdrawal(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	const returned, withdrew = "094150000011", "094150000012"
	ps := r.people("31498", returned, withdrew)
	r.decide(r.submitFor(ps[returned], true, true), ansinh.StatusVerified)
	r.decide(r.submitFor(ps[withdrew], true, true), ansinh.StatusVerified)
	index, err := r.st.CurrentAccountIndex(ctx, ps[returned].ID)
	if err != nil || index == "" {
		t.Fatalf("account index %q %v", index, err)
	}
	if _, err := r.reg.PaymentResult(ctx, r.st, &ansinh.PaymentResult{Month: "2026-11", BeneficiaryID: ps[returned].ID, Commune: "31498",
		Result: ansinh.PaymentReturned, Reason: "tài khoản đã đóng", AccountIndex: index, At: r.clock}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.WithdrawConsent(ctx, ps[withdrew].ID, "req-1", "xa31498", r.clock); err != nil {
		t.Fatal(err)
	}
	r.send() // the decisions' and the returned payment's own notices
	smsBefore := len(r.sms.sent)
	got, err := r.svc.Remind(ctx, []string{"31498"}, "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	if want := (ansinh.ReminderCounts{Queued: 1, NoConsent: 2}); got != want { // r.b never submitted
		t.Fatalf("counts %+v, want %+v", got, want)
	}
	if r.queued(notify.ReminderID("2026-12", ps[withdrew].ID)) || !r.queued(notify.ReminderID("2026-12", ps[returned].ID)) {
		t.Fatal("the wrong person reminded")
	}
	r.send()
	if len(r.sms.sent) != smsBefore+1 || r.sms.sent[smsBefore]["text"] != fmt.Sprintf(ansinh.MsgNoticeReminderAccount, "12/2026") {
		t.Fatalf("the reminder's SMS: %v", r.sms.sent[smsBefore:])
	}
}
