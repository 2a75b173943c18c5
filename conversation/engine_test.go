package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"ansinh"
)

var testNow = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

const (
	goodCCCD     = "094050001234"
	goodBirth    = "1950-03-05"
	proxyCCCD    = "094180005678"
	account      = "1903456789012"
	officerPhone = "02993822123"
	officerName  = "Lê Thị Hoa"
	officerHours = "7 giờ – 17 giờ, thứ Hai đến thứ Sáu"
	commune      = "31513"
)

// fakeServices accepts one beneficiary (CCCD 094050001234, born 1950-03-05) and
// records what is submitted. A repeated idempotency key gets the first receipt.
type fakeServices struct {
	submitCalls int
	submitted   []*ansinh.RegistrationRequest
	beneficiary []*ansinh.Beneficiary
	byKey       map[string]string
	regs        map[string]*ansinh.Registration
	order       []string
	locked      bool
	submitErr   error // returned once by Submit
	statusErr   error
}

func newFake() *fakeServices {
	return &fakeServices{byKey: map[string]string{}, regs: map[string]*ansinh.Registration{}}
}

var receipts = []string{"AB2C3D4E5F", "HKM7P3QRST", "XYZ2345678", "WWW2345678"}

func (f *fakeServices) IdentifyByCCCD(_ context.Context, cccd, birthDate string) (*ansinh.Beneficiary, error) {
	if f.locked {
		return nil, ansinh.Errorf(ansinh.ERATELIMIT, ansinh.MsgIdentityLocked)
	}
	if cccd == goodCCCD && birthDate == goodBirth {
		return &ansinh.Beneficiary{ID: "ben-1", Name: "Nguyễn Văn Sáu", CCCD: goodCCCD, BirthDate: goodBirth, Commune: commune}, nil
	}
	return nil, &ansinh.Error{Code: ansinh.EINVALID, Message: ansinh.MsgIdentityNotFound,
		Fields: map[string]string{"cccd": ansinh.MsgIdentityNotFound, "birth_date": ansinh.MsgIdentityNotFound}}
}

func (f *fakeServices) Submit(_ context.Context, b *ansinh.Beneficiary, req *ansinh.RegistrationRequest) (string, error) {
	f.submitCalls++
	if err := f.submitErr; err != nil {
		f.submitErr = nil
		return "", err
	}
	req.Normalize()
	if err := ansinh.ValidateExcept(req, "CCCD", "QRToken", "BirthDate"); err != nil {
		return "", err
	}
	if r, ok := f.byKey[req.IdempotencyKey]; ok {
		return r, nil
	}
	r := receipts[len(f.order)]
	f.byKey[req.IdempotencyKey] = r
	f.order = append(f.order, r)
	f.submitted = append(f.submitted, req)
	f.beneficiary = append(f.beneficiary, b)
	f.regs[r] = &ansinh.Registration{Receipt: r, BeneficiaryID: b.ID, Commune: b.Commune, Status: ansinh.StatusPending}
	return r, nil
}

func (f *fakeServices) Status(_ context.Context, receipt string) (*ansinh.Registration, error) {
	if f.statusErr != nil {
		return nil, f.statusErr
	}
	r, ok := ansinh.NormalizeReceipt(receipt)
	if !ok {
		return nil, ansinh.FieldError("receipt", ansinh.MsgReceiptInvalid)
	}
	if reg, ok := f.regs[r]; ok {
		return reg, nil
	}
	return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
}

func (f *fakeServices) LatestStatus(_ context.Context, beneficiaryID string) (*ansinh.Registration, error) {
	for i := len(f.order) - 1; i >= 0; i-- {
		if reg := f.regs[f.order[i]]; reg.BeneficiaryID == beneficiaryID {
			return reg, nil
		}
	}
	return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
}

func (f *fakeServices) Officer(_ context.Context, c string) Officer {
	if c == commune {
		return Officer{Name: officerName, Phone: officerPhone, Hours: officerHours}
	}
	return Officer{}
}

// chat is one user's conversation. Between messages the state goes through JSON, as
// it does through the store, and a new engine answers each message.
type chat struct {
	t     *testing.T
	svc   *fakeServices
	now   time.Time
	state []byte
	last  []Reply
}

func newChat(t *testing.T, svc *fakeServices) *chat {
	t.Helper()
	c := &chat{t: t, svc: svc, now: testNow}
	c.save(&State{})
	return c
}

func (c *chat) save(st *State) {
	b, err := json.Marshal(st)
	if err != nil {
		c.t.Fatal(err)
	}
	c.state = b
}

func (c *chat) load() *State {
	var st State
	if err := json.Unmarshal(c.state, &st); err != nil {
		c.t.Fatal(err)
	}
	return &st
}

func (c *chat) say(text string) []Reply {
	c.t.Helper()
	return c.send(Input{Text: text})
}

func (c *chat) send(in Input) []Reply {
	c.t.Helper()
	c.now = c.now.Add(time.Minute)
	st := c.load()
	e := New(c.svc, func() time.Time { return c.now })
	rs, err := e.Handle(context.Background(), st, in)
	if err != nil {
		c.t.Fatalf("%q: %v", in.Text, err)
	}
	c.check(in, st, rs)
	c.save(st)
	c.last = rs
	return rs
}

// choiceSteps are the steps whose question is a choice: their reply offers buttons.
var choiceSteps = map[string]bool{StepMenu: true, StepWho: true, StepProxyRelation: true, StepBank: true,
	StepHolderConfirm: true, StepPhone: true, StepConsent: true, StepNotify: true, StepConfirm: true, StepEdit: true, StepLookup: true}

func (c *chat) check(in Input, st *State, rs []Reply) {
	c.t.Helper()
	if len(rs) < 1 || len(rs) > 3 {
		c.t.Fatalf("%q: %d replies", in.Text, len(rs))
	}
	for _, r := range rs {
		if strings.TrimSpace(r.Text) == "" || !vietnamese(r.Text) {
			c.t.Errorf("%q: reply without Vietnamese text: %+v", in.Text, r)
		}
		for _, b := range r.Buttons {
			if b.Title == "" || b.Payload == "" {
				c.t.Errorf("%q: empty button %+v", in.Text, b)
			}
		}
		if !strings.HasPrefix(r.Text, msgSummary) {
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				if r == ' ' || r == '.' {
					return -1
				}
				return '|'
			}, r.Text)
			for _, secret := range []string{goodCCCD, proxyCCCD, account} {
				if strings.Contains(digits, secret) {
					c.t.Errorf("%q: reply shows %s in full outside the summary: %q", in.Text, secret, r.Text)
				}
			}
		}
	}
	if choiceSteps[st.Step] && len(rs[len(rs)-1].Buttons) == 0 {
		c.t.Errorf("%q: step %s asks a choice without buttons: %q", in.Text, st.Step, rs[len(rs)-1].Text)
	}
}

func vietnamese(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func (c *chat) step() string { return c.load().Step }

func (c *chat) data() map[string]string { return c.load().Data }

func (c *chat) wantStep(step string) {
	c.t.Helper()
	if got := c.step(); got != step {
		c.t.Fatalf("step = %q, want %q (last replies %+v)", got, step, c.last)
	}
}

func (c *chat) wantText(sub string) {
	c.t.Helper()
	for _, r := range c.last {
		if strings.Contains(r.Text, sub) {
			return
		}
	}
	c.t.Fatalf("no reply contains %q: %+v", sub, c.last)
}

func (c *chat) wantButton(title string) {
	c.t.Helper()
	for _, r := range c.last {
		for _, b := range r.Buttons {
			if b.Title == title {
				return
			}
		}
	}
	c.t.Fatalf("no button %q: %+v", title, c.last)
}

// identify runs the conversation up to "who receives the money".
func (c *chat) identify() {
	c.t.Helper()
	c.say("xin chào")
	c.wantStep(StepMenu)
	c.wantButton(btnRegister)
	c.say(btnRegister)
	c.wantStep(StepCCCD)
	c.say("094 050 001 234")
	c.wantStep(StepBirth)
	c.wantText("••••••••1234")
	c.say("ngày 5 tháng 3 năm 1950")
	c.wantStep(StepWho)
	c.wantText("Nguyễn Văn Sáu")
	c.wantButton(btnSelf)
	c.wantButton(btnProxy)
}

// finish goes from the phone question to the receipt.
func (c *chat) finish() string {
	c.t.Helper()
	c.wantStep(StepConsent)
	c.wantText("Ông/bà có đồng ý không?")
	c.say(btnAgree)
	c.wantStep(StepNotify)
	c.say(btnNotifyNo)
	c.wantStep(StepConfirm)
	c.wantText(msgSummary)
	c.say(btnSend)
	c.wantStep(StepDone)
	c.wantText("Mã biên nhận")
	return c.svc.order[len(c.svc.order)-1]
}

func TestSelfRegistration(t *testing.T) {
	svc := newFake()
	c := newChat(t, svc)
	c.identify()
	c.say(btnSelf)
	c.wantStep(StepBank)
	for _, b := range []string{"Agribank", "VietinBank", "BIDV", "Vietcombank", "LPBank", btnOtherBank} {
		c.wantButton(b)
	}
	c.say("Agribank")
	c.wantStep(StepAccount)
	c.say("1903 4567 89012")
	c.wantStep(StepHolder)
	c.wantText("••••••••9012")
	c.wantButton("NGUYEN VAN SAU")
	c.say("Nguyễn Văn Sáu")
	c.wantStep(StepHolderConfirm)
	c.wantText("NGUYEN VAN SAU")
	c.say("đúng rồi")
	c.wantStep(StepPhone)
	c.wantButton(btnSkip)
	c.say("0912 345 678")
	c.wantStep(StepConsent)
	c.wantButton(btnAgree)
	c.wantButton(btnDisagree)
	c.say(btnAgree)
	c.wantStep(StepNotify)
	c.say(btnNotifyNo)
	c.wantStep(StepConfirm)
	c.wantText(account) // the summary shows the full number, to check
	c.wantText("Agribank")
	c.wantText("NGUYEN VAN SAU")
	c.wantButton(btnSend)
	c.wantButton(btnEdit)
	c.say(btnSend)
	c.wantStep(StepDone)
	c.wantText("AB2C3-D4E5F")
	c.wantText("tra cứu AB2C3-D4E5F")

	if len(svc.submitted) != 1 {
		t.Fatalf("%d registrations", len(svc.submitted))
	}
	req, b := svc.submitted[0], svc.beneficiary[0]
	if b.ID != "ben-1" || b.Commune != commune {
		t.Errorf("beneficiary = %+v", b)
	}
	if req.Submitter != ansinh.SubmitterSelf || req.Proxy != nil || req.BankBIN != "970405" || req.AccountNumber != account ||
		req.AccountName != "NGUYEN VAN SAU" || req.Phone != "0912345678" || !req.Consent || req.IdempotencyKey == "" {
		t.Errorf("request = %+v", req)
	}
	d := c.data()
	if len(d) != 2 || d[keyReceipt] != "AB2C3D4E5F" || d[keyCommune] != commune {
		t.Errorf("data after submitting = %v", d)
	}
}

func TestProxyRegistration(t *testing.T) {
	svc := newFake()
	c := newChat(t, svc)
	c.identify()
	c.say("nguoi nhan thay")
	c.wantStep(StepProxyName)
	c.say("Trần Thị Bé")
	c.wantStep(StepProxyCCCD)
	c.say("0941 8000 5678")
	c.wantStep(StepProxyPhone)
	c.wantText("••••••••5678")
	c.say("0987.654.321")
	c.wantStep(StepProxyRelation)
	c.wantButton("Con")
	c.say("Con")
	c.wantStep(StepBank)
	c.say("ngân hàng ngoại thương")
	c.wantStep(StepAccount)
	c.wantText("Vietcombank")
	c.say(account)
	c.wantStep(StepHolder)
	c.wantButton("TRAN THI BE")
	c.say("TRAN THI BE")
	c.say("ok")
	c.wantStep(StepPhone)
	c.say(btnSkip)
	c.wantStep(StepConsent)
	c.finish()

	req := svc.submitted[0]
	want := ansinh.ProxyRequest{Name: "Trần Thị Bé", CCCD: proxyCCCD, Phone: "0987654321", Relationship: "Con"}
	if req.Submitter != ansinh.SubmitterProxy || req.Proxy == nil || *req.Proxy != want {
		t.Errorf("proxy = %+v", req.Proxy)
	}
	if req.BankBIN != "970436" || req.AccountName != "TRAN THI BE" || req.Phone != "" {
		t.Errorf("request = %+v", req)
	}
}

func TestVietQRDuringBankStep(t *testing.T) {
	svc := newFake()
	c := newChat(t, svc)
	c.identify()
	c.say(btnSelf)
	c.wantStep(StepBank)
	c.send(Input{BIN: "970418", AccountNumber: "12345678901"})
	c.wantStep(StepHolder)
	c.wantText("BIDV")
	c.wantText("••••••••8901")
	c.say("NGUYEN VAN SAU")
	c.say("Đúng")
	c.say("ko co")
	c.finish()
	if req := svc.submitted[0]; req.BankBIN != "970418" || req.AccountNumber != "12345678901" {
		t.Errorf("request = %+v", req)
	}

	// Before anyone is identified, an image is kept for later.
	c2 := newChat(t, newFake())
	c2.send(Input{BIN: "970418", AccountNumber: "12345678901"})
	c2.wantStep("")
	c2.wantText(msgQRLater)
}

func TestWrongIdentityTwiceThenRight(t *testing.T) {
	svc := newFake()
	c := newChat(t, svc)
	c.say(btnRegister)
	c.say(goodCCCD)
	c.say("6/3/1950") // wrong date: the CCCD is kept, only the date asked again
	c.wantStep(StepBirth)
	c.wantText(ansinh.MsgIdentityNotFound)
	c.wantButton(btnRetypeCCCD)
	if c.data()[keyCCCD] != goodCCCD {
		t.Fatalf("the CCCD is gone after a wrong date: %v", c.data())
	}
	wrongDate := strings.ReplaceAll(c.last[0].Text, "1234", "")
	c.say("094050009999") // another CCCD typed at the date step replaces it
	c.wantStep(StepBirth)
	c.say("5/3/1950") // unknown person
	c.wantStep(StepBirth)
	if got := strings.ReplaceAll(c.last[0].Text, "9999", ""); got != wrongDate {
		t.Errorf("unknown person %q, wrong date %q: not the same answer", got, wrongDate)
	}
	c.say(btnRetypeCCCD)
	c.wantStep(StepCCCD)
	c.say(goodCCCD)
	c.say("05-03-1950")
	c.wantStep(StepWho)
	if _, ok := c.data()[keyCCCD]; ok {
		t.Error("the CCCD stays in the state after identifying")
	}

	// A third failure offers the officer.
	c2 := newChat(t, newFake())
	c2.say(btnRegister)
	c2.say(goodCCCD)
	for range 3 {
		c2.say("1/1/1960")
	}
	c2.wantButton(btnOfficer)

	// Locked: wait an hour or ask the commune.
	locked := newFake()
	locked.locked = true
	c3 := newChat(t, locked)
	c3.say(btnRegister)
	c3.say(goodCCCD)
	c3.say("5/3/1950")
	c3.wantText(ansinh.MsgIdentityLocked)
	c3.wantButton(btnOfficer)
	c3.wantStep(StepMenu)
}

func TestInvalidInputAsksAgain(t *testing.T) {
	c := newChat(t, newFake())
	c.say(btnRegister)
	c.say("12345")
	c.wantStep(StepCCCD)
	c.wantText(ansinh.MsgCCCDLength)
	c.say("ngày mai")
	c.wantText(ansinh.MsgCCCDDigits)
	c.say("1234")
	c.wantButton(btnOfficer) // third failure at this step
	c.say(goodCCCD)
	c.say("31/2/1950")
	c.wantStep(StepBirth)
	c.wantText(ansinh.MsgBirthDateInvalid)
	c.say("5/3/1950")
	c.say("không biết")
	c.wantStep(StepWho)
	c.wantText(ansinh.MsgSubmitterInvalid)
	c.wantButton(btnSelf)
	c.say("tôi")
	c.say("ngân hàng ABC")
	c.wantStep(StepBank)
	c.wantText(ansinh.MsgBankUnknown)
	c.say(btnOtherBank)
	c.wantStep(StepBankName)
	c.say("kookmin")
	c.wantStep(StepBankName)
	c.wantButton("Kookmin Bank HCM")
	c.say("Kookmin Bank HCM")
	c.wantStep(StepAccount)
	c.say("12a")
	c.wantText(ansinh.MsgAccountLength)
	c.say(account)
	c.say("Nguyen Van Sau 2")
	c.wantText(ansinh.MsgHolderInvalid)
	c.say("nguyen van sau")
	c.say("Đúng")
	c.say("0123")
	c.wantText(ansinh.MsgPhoneInvalid)
	c.say("0912345678")
	c.say("không đồng ý")
	c.wantStep(StepConsent)
	c.wantText(ansinh.MsgConsentRequired)
	c.wantButton(btnAgree)
}

func TestCancelMidway(t *testing.T) {
	svc := newFake()
	c := newChat(t, svc)
	c.identify()
	c.say(btnSelf)
	c.say("BIDV")
	c.say(account)
	c.say("Hủy")
	c.wantStep(StepMenu)
	c.wantText(msgCancelled)
	c.wantButton(btnRegister)
	if d := c.data(); len(d) != 0 {
		t.Errorf("data after cancelling = %v", d)
	}
	if svc.submitCalls != 0 {
		t.Error("submitted")
	}
}

func TestRestart(t *testing.T) {
	c := newChat(t, newFake())
	c.identify()
	key := c.data()[keyIdempotency]
	c.say(btnSelf)
	c.say("Agribank")
	c.say("lam lai")
	c.wantStep(StepCCCD)
	c.wantText(msgRestarted)
	d := c.data()
	if d[keyBeneficiary] != "" || d[keyBank] != "" || d[keyIdempotency] == "" || d[keyIdempotency] == key {
		t.Errorf("data after restarting = %v", d)
	}
}

func TestIdleStartsOver(t *testing.T) {
	c := newChat(t, newFake())
	c.identify()
	c.say(btnSelf)
	c.wantStep(StepBank)
	c.now = c.now.Add(31 * time.Minute)
	c.say("Agribank")
	c.wantStep(StepMenu)
	if !strings.HasPrefix(c.last[0].Text, "Cuộc trò chuyện đã dừng") {
		t.Errorf("first reply %q", c.last[0].Text)
	}
	c.wantButton(btnRegister)
	if d := c.data(); len(d) != 0 {
		t.Errorf("data after the pause = %v", d)
	}

	// After a pause, a command still works.
	c.say(btnRegister)
	c.now = c.now.Add(40 * time.Minute)
	c.say("tra cứu")
	c.wantText("Cuộc trò chuyện đã dừng")
	c.wantStep(StepLookup)

	// 29 minutes is not a pause.
	c.say(btnRegister)
	c.now = c.now.Add(29 * time.Minute)
	c.say(goodCCCD)
	c.wantStep(StepBirth)
}

func TestRepeatedSendDoesNotSubmitTwice(t *testing.T) {
	svc := newFake()
	c := newChat(t, svc)
	c.identify()
	c.say(btnSelf)
	c.say("Agribank")
	c.say(account)
	c.say("NGUYEN VAN SAU")
	c.say("Đúng")
	c.say(btnSkip)
	c.say(btnAgree)
	c.wantStep(StepNotify)
	c.say(btnNotifyNo)
	c.wantStep(StepConfirm)
	confirm := c.state
	c.say(btnSend)
	c.wantStep(StepDone)
	receipt := svc.order[0]
	c.say(btnSend)
	c.wantText("đã được gửi rồi")
	c.wantText(ansinh.FormatReceipt(receipt))
	c.say("gửi")
	if svc.submitCalls != 1 || len(svc.submitted) != 1 {
		t.Errorf("Submit called %d times, %d registrations", svc.submitCalls, len(svc.submitted))
	}

	// The state was not stored after the first "Gửi" (the store failed): the second
	// "Gửi" carries the same idempotency key, and gets the same receipt.
	c.state = confirm
	c.say(btnSend)
	c.wantText(ansinh.FormatReceipt(receipt))
	if len(svc.submitted) != 1 {
		t.Errorf("%d registrations", len(svc.submitted))
	}
}

func TestStatusByReceipt(t *testing.T) {
	svc := newFake()
	svc.regs["HKM7P3QRST"] = &ansinh.Registration{Receipt: "HKM7P3QRST", BeneficiaryID: "ben-1", Commune: commune,
		Status: ansinh.StatusRejected, Reason: ansinh.RejectReasons["holder_mismatch"]}
	svc.order = append(svc.order, "HKM7P3QRST")
	svc.regs["XYZ2345678"] = &ansinh.Registration{Receipt: "XYZ2345678", Status: ansinh.StatusVerified}

	c := newChat(t, svc)
	c.say("tra cuu hkm7p-3qrst")
	c.wantText("HKM7P-3QRST")
	c.wantText(ansinh.StatusLabel(ansinh.StatusRejected))
	c.wantText(ansinh.RejectReasons["holder_mismatch"])
	c.wantButton(btnRegisterNew)
	c.say("XYZ23-45678")
	c.wantText(ansinh.StatusLabel(ansinh.StatusVerified))

	c.say(btnStatus)
	c.wantStep(StepLookup)
	c.wantButton(btnStatusByID)
	c.say("ABCDE-23456")
	c.wantText(ansinh.MsgReceiptNotFound)
	c.wantStep(StepLookup)
	c.say("xyz")
	c.wantText(ansinh.MsgReceiptInvalid)
	c.say("xyz2345678")
	c.wantText(ansinh.StatusLabel(ansinh.StatusVerified))
	c.wantStep(StepMenu)

	// In the middle of a registration, the answer comes, then the question again.
	c.identify()
	c.say("tra cứu XYZ23-45678")
	c.wantStep(StepWho)
	c.wantText(ansinh.StatusLabel(ansinh.StatusVerified))
	c.wantButton(btnSelf)

	// After registering, the receipt's button looks it up.
	c.say(btnSelf)
	c.say("Agribank")
	c.say(account)
	c.say("NGUYEN VAN SAU")
	c.say("Đúng")
	c.say(btnSkip)
	receipt := ansinh.FormatReceipt(c.finish())
	var payload string
	for _, b := range c.last[len(c.last)-1].Buttons {
		if strings.Contains(b.Title, receipt) {
			payload = b.Payload
		}
	}
	c.say(payload)
	c.wantText(ansinh.StatusLabel(ansinh.StatusPending))
}

func TestStatusByIdentity(t *testing.T) {
	svc := newFake()
	c := newChat(t, svc)
	c.say("tra cứu")
	c.say(btnStatusByID)
	c.wantStep(StepLookupCCCD)
	c.say(goodCCCD)
	c.wantStep(StepLookupBirth)
	c.say("5/3/1950")
	c.wantText(msgNoRegistration)
	c.wantButton(btnRegister)

	svc.regs["HKM7P3QRST"] = &ansinh.Registration{Receipt: "HKM7P3QRST", BeneficiaryID: "ben-1", Commune: commune,
		Status: ansinh.StatusPending}
	svc.order = append(svc.order, "HKM7P3QRST")
	c.say("quên mã biên nhận")
	c.wantStep(StepLookupCCCD)
	c.say(goodCCCD)
	c.say("1/1/1951")
	c.wantText(ansinh.MsgIdentityNotFound)
	c.wantStep(StepLookupBirth)
	c.say("1950-03-05")
	c.wantText("HKM7P-3QRST")
	c.wantText(ansinh.StatusLabel(ansinh.StatusPending))
	if d := c.data(); d[keyCCCD] != "" {
		t.Errorf("data after the look-up = %v", d)
	}

	// "tra cứu" with a CCCD goes straight to the birth date.
	c.say("tra cứu 094 050 001 234")
	c.wantStep(StepLookupBirth)
}

func TestHelpTopics(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"where", "mở tài khoản ở đâu", "phòng giao dịch"},
		{"where button", btnHowToOpen, "phòng giao dịch"},
		{"free", "có mất phí không", "miễn phí"},
		{"bring", "cần mang gì", "CCCD"},
		{"proxy", "ai được nhận thay", "giấy ủy quyền"},
		{"topics", "hướng dẫn", msgHelpTopics},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t, newFake())
			c.say(tt.text)
			c.wantText(tt.want)
			if len(c.last[0].Buttons) == 0 {
				t.Error("no buttons for the other topics")
			}
			// Mid-way, the answer comes, then the question again.
			c.say(btnRegister)
			c.say(tt.text)
			c.wantText(tt.want)
			c.wantStep(StepCCCD)
			if len(c.last) != 2 || !strings.Contains(c.last[1].Text, msgAskCCCD) {
				t.Errorf("replies %+v", c.last)
			}
		})
	}
}

func TestOfficer(t *testing.T) {
	c := newChat(t, newFake())
	c.say("gặp cán bộ")
	c.wantText(msgOfficerGeneral)
	if c.last[0].Phone != "" {
		t.Error("a phone without a commune")
	}
	c.identify()
	c.say("gap can bo")
	if c.last[0].Phone != officerPhone {
		t.Errorf("phone = %q", c.last[0].Phone)
	}
	c.wantText(officerPhone)
	c.wantText(officerName)
	c.wantText(officerHours)
	c.wantStep(StepWho) // the registration goes on
	c.wantButton(btnSelf)
}

func TestSubmitRefusedGoesBackToTheField(t *testing.T) {
	svc := newFake()
	svc.submitErr = ansinh.FieldError("proxy.cccd", ansinh.MsgProxyCCCDSame)
	c := newChat(t, svc)
	c.identify()
	c.say(btnProxy)
	c.say("Trần Thị Bé")
	c.say(goodCCCD)
	c.say("0987654321")
	c.say("cháu")
	c.say("LPBank")
	c.say(account)
	c.say("TRAN THI BE")
	c.say("Đúng")
	c.say(btnSkip)
	c.say(btnAgree)
	c.say(btnNotifyNo)
	c.say(btnSend)
	c.wantStep(StepProxyCCCD)
	c.wantText(ansinh.MsgProxyCCCDSame)
	c.say(proxyCCCD)
	c.say("0987654321")
	c.say("cháu")
	c.wantStep(StepConfirm) // straight back to the summary
	c.say(btnSend)
	c.wantStep(StepDone)
	if req := svc.submitted[0]; req.Proxy.CCCD != proxyCCCD || req.Proxy.Relationship != "cháu" {
		t.Errorf("proxy = %+v", req.Proxy)
	}
}

func TestEditFromSummary(t *testing.T) {
	svc := newFake()
	c := newChat(t, svc)
	c.identify()
	c.say(btnSelf)
	c.say("Agribank")
	c.say(account)
	c.say("NGUYEN VAN SAU")
	c.say("Đúng")
	c.say(btnSkip)
	c.say(btnAgree)
	c.say(btnNotifyNo)
	c.say(btnEdit)
	c.wantStep(StepEdit)
	c.wantButton(btnEditPhone)
	c.say(btnEditPhone)
	c.wantStep(StepPhone)
	c.say("0912345678")
	c.wantStep(StepConfirm)
	c.wantText("0912345678")

	// A new account by VietQR from the summary.
	c.send(Input{BIN: "970436", AccountNumber: "0011223344"})
	c.wantStep(StepConfirm)
	c.wantText("Vietcombank")

	// Changing who receives asks the holder again.
	c.say(btnEdit)
	c.say(btnEditWho)
	c.wantStep(StepWho)
	c.say(btnProxy)
	c.say("Trần Thị Bé")
	c.say(proxyCCCD)
	c.say("0987654321")
	c.say("con")
	c.wantStep(StepHolder)
	c.wantButton("TRAN THI BE")
	c.say("TRAN THI BE")
	c.say("Đúng")
	c.wantStep(StepConfirm)
	c.say(btnSend)
	req := svc.submitted[0]
	if req.Phone != "0912345678" || req.BankBIN != "970436" || req.AccountNumber != "0011223344" ||
		req.Submitter != ansinh.SubmitterProxy || req.AccountName != "TRAN THI BE" {
		t.Errorf("request = %+v", req)
	}
}

func TestInternalErrorKeepsTheState(t *testing.T) {
	svc := newFake()
	c := newChat(t, svc)
	c.say(btnRegister)
	before := string(c.state)
	svc.statusErr = errors.New("store down")
	st := c.load()
	e := New(svc, func() time.Time { return c.now })
	rs, err := e.Handle(context.Background(), st, Input{Text: "tra cứu AB2C3-D4E5F"})
	if err == nil || len(rs) != 1 || rs[0].Text != ansinh.MsgInternal {
		t.Fatalf("replies %+v, err %v", rs, err)
	}
	b, _ := json.Marshal(st)
	if string(b) != before {
		t.Errorf("state changed: %s, was %s", b, before)
	}
}

func TestNewConversationGreets(t *testing.T) {
	c := newChat(t, newFake())
	c.say("")
	c.wantText(msgMenu)
	c2 := newChat(t, newFake())
	c2.say("???")
	c2.wantButton(btnRegister)
	c2.say("blah")
	c2.wantText(msgNotUnderstood)
}

func TestToBeToldIsAskedNeverAssumed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer string
		want   bool
	}{{"yes", btnNotifyYes, true}, {"no", btnNotifyNo, false}} {
		t.Run(tc.name, func(t *testing.T) {
			svc := newFake()
			c := newChat(t, svc)
			c.identify()
			c.say(btnSelf)
			c.say("Agribank")
			c.say(account)
			c.say("NGUYEN VAN SAU")
			c.say("Đúng")
			c.say(btnSkip)
			c.say(btnAgree)
			c.wantStep(StepNotify)
			c.wantButton(btnNotifyYes)
			c.wantButton(btnNotifyNo)
			c.say("gì cơ") // no answer is not a yes
			c.wantStep(StepNotify)
			c.say(tc.answer)
			c.wantStep(StepConfirm)
			c.say(btnSend)
			c.wantStep(StepDone)
			if got := svc.submitted[0].NotifyConsent; got != tc.want {
				t.Fatalf("notify consent = %v, want %v", got, tc.want)
			}
		})
	}
}
