package handlers_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/importer"
	"ansinh/notify"
	"ansinh/zalo"
)

func (e *env) paymentUpload(token, month string, content string) *response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("month", month)
	fw, _ := mw.CreateFormFile("file", "ket-qua.csv")
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/api/v1/payments/results", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return e.send(req)
}

type paymentReport struct {
	Confirmed, Returned, Unchanged int
	Errors                         []ansinh.RowError
}

// TestPaymentResults is acceptance 2: a file confirms three accounts and bounces one;
// that person is reopened (no account, in the commune's queue with the reason), told,
// counted out; the same file again changes nothing; the counters stay exact.
func TestPaymentResults(t *testing.T) {
	e := newEnv(t)
	z := &templateZalo{}
	srv := httptest.NewServer(z)
	t.Cleanup(srv.Close)
	e.clock.t = time.Date(2026, 12, 2, 10, 0, 0, 0, ansinh.Vietnam)
	svc := &notify.Service{Store: e.store, Zalo: &zalo.Client{APIURL: srv.URL, BusinessURL: srv.URL}, Tokens: staticToken{},
		Templates: notify.Templates{Returned: "tpl-ret", Verified: "tpl-ok"}, Now: e.clock.now}
	e.app = e.rebuild(svc)
	e.addUser("xa31498", ansinh.RoleCommune, "31498")
	e.addUser("so.tc", ansinh.RoleProvince, "94")
	ctx := context.Background()
	csv := "ho_ten,cccd,ngay_sinh,gioi_tinh,ma_xa,nhom,ma_ngan_hang,so_tai_khoan,chu_tai_khoan\n" +
		"Nguyễn Văn Sáu,094050001234,05/03/1950,Nam,31498,NCC,,,\n" +
		"Trần Thị Bảy,094152000111,01/01/1952,Nữ,31498,BTXH,970405,111122223333,TRAN THI BAY\n" +
		"Lê Văn Tám,094048000222,01/01/1948,Nam,31498,NCC,970418,444455556666,LE VAN TAM\n" +
		"Phạm Văn Chín,094050003333,01/01/1950,Nam,31498,NCC,970436,777788889999,PHAM VAN CHIN\n"
	if _, err := importer.Import(ctx, e.store, e.units, strings.NewReader(csv), int64(len(csv)),
		importer.Options{Actor: &ansinh.User{Username: "so", Role: ansinh.RoleProvince, Unit: "94"}, File: "x.csv"}); err != nil {
		t.Fatal(err)
	}
	reg := validRegistration("key-pay-0001")
	reg["notify_consent"] = true
	_, receipt := e.submit(reg)
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498"), nil); r.StatusCode != 200 {
		t.Fatalf("verify: %d %s", r.StatusCode, r.body)
	}
	if _, err := svc.SendDue(ctx); err != nil { // the verification's notice
		t.Fatal(err)
	}
	file := "cccd,ket_qua,ly_do\n094050001234,trả lại,Tài khoản đã đóng\n094152000111,thành công,\n094048000222,Thành công,\n094050003333,da chuyen,\n"
	token := e.login("so.tc")
	var rep paymentReport
	if r := e.paymentUpload(token, "2026-11", file); r.StatusCode != 200 {
		t.Fatalf("upload: %d %s", r.StatusCode, r.body)
	} else {
		r.decode(&rep)
	}
	if rep.Confirmed != 3 || rep.Returned != 1 || rep.Unchanged != 0 || len(rep.Errors) != 0 {
		t.Fatalf("report %+v", rep)
	}
	sau, _ := e.store.Beneficiary(ctx, e.store.BeneficiaryID(sauCCCD))
	if sau.Account != nil || sau.Returned == nil || sau.Returned.Month != "2026-11" {
		t.Fatalf("the returned person: account %+v, returned %+v", sau.Account, sau.Returned)
	}
	counts := e.totals()
	if counts.WithAccount != 3 || counts.ConfirmedByPayment != 3 {
		t.Fatalf("counts %+v", counts)
	}
	e.wantExactCounters()
	var cov struct {
		WithAccount        int64  `json:"with_account"`
		ConfirmedByPayment int64  `json:"confirmed_by_payment"`
		PaidThisMonth      int64  `json:"paid_this_month"`
		PaidMonth          string `json:"paid_month"`
		NCCPaid            int64  `json:"ncc_paid_this_month"`
	}
	e.do("GET", "/api/v1/coverage", token, nil).decode(&cov)
	// Paid through an account in November: the three paid, not the one returned.
	if cov.WithAccount != 3 || cov.ConfirmedByPayment != 3 || cov.PaidThisMonth != 3 || cov.PaidMonth != "2026-11" || cov.NCCPaid != 2 {
		t.Fatalf("coverage API %+v", cov)
	}
	e.wantExactPaid()
	if _, doc := e.browser("so.tc").get("/can-bo/tong-quan"); strings.TrimSpace(doc.Find("#confirmed").Text()) != "3" ||
		text(doc, "#paid") != "3" || !strings.Contains(text(doc, "#paid-this-month"), "11/2026") {
		t.Fatalf("dashboard confirmed %q, paid %q", doc.Find("#confirmed").Text(), text(doc, "#paid-this-month"))
	}
	var monthly struct {
		Coverage struct {
			PaidThisMonth int64  `json:"paid_this_month"`
			PaidMonth     string `json:"paid_month"`
		}
	}
	e.do("GET", "/api/v1/reports/monthly?unit=94&month=2026-11", token, nil).decode(&monthly)
	if monthly.Coverage.PaidThisMonth != 3 || monthly.Coverage.PaidMonth != "2026-11" {
		t.Fatalf("monthly report of November: %+v", monthly.Coverage)
	}
	e.do("GET", "/api/v1/reports/monthly?unit=94&month=2026-10", token, nil).decode(&monthly)
	if monthly.Coverage.PaidThisMonth != 0 {
		t.Fatalf("monthly report of October: %+v", monthly.Coverage)
	}
	// The report's page, CSV and workbook: confirmed, paid in the month, accounts by kind.
	if _, doc := e.browser("so.tc").get("/can-bo/bao-cao?unit=94&month=2026-11"); text(doc, "#report-total td.paid") != "3" ||
		text(doc, "#report-total td.confirmed") != "3" || !strings.Contains(text(doc, "#report-kinds"), "ví điện tử, Mobile Money 0") {
		t.Fatalf("report page: paid %q, confirmed %q, kinds %q", text(doc, "#report-total td.paid"), text(doc, "#report-total td.confirmed"), text(doc, "#report-kinds"))
	}
	csvReport := string(e.do("GET", "/api/v1/reports/monthly?unit=94&month=2026-11&format=csv", token, nil).body)
	if !strings.Contains(csvReport, "Nhận tiền qua tài khoản trong tháng") || !strings.Contains(csvReport, "Tổng cộng,94,4,3,0,0,75.00%,75.00%,Đạt,3,3,3,0,0") {
		t.Fatalf("report CSV:\n%s", csvReport)
	}
	// The month-by-month curve: November's close, 3 of 4 paid through an account.
	if err := e.store.Snapshot(ctx, time.Date(2026, 11, 30, 20, 0, 0, 0, ansinh.Vietnam)); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.browser("so.tc").get("/can-bo/tong-quan"); !strings.Contains(string(r.body), `class="paid" points="40.0,50.0"`) ||
		!strings.Contains(string(r.body), `class="confirmed" points="40.0,50.0"`) {
		t.Fatalf("the curve has no paid or confirmed line at 75 %%:\n%s", r.body)
	}
	// Told: the returned notice goes by template by phone.
	if _, err := svc.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	as, _ := e.store.NoticeAttempts(ctx, sau.ID)
	if len(as) != 2 || as[1].Kind != ansinh.NoticeReturned || as[1].Result != ansinh.NoticeSent {
		t.Fatalf("notices %+v", as)
	}
	// Back in the commune's queue, with why.
	_, doc := e.browser("xa31498").get("/can-bo/duyet")
	if row := doc.Find("#returned tbody tr"); row.Length() != 1 || !strings.Contains(row.Text(), "Nguyễn Văn Sáu") ||
		!strings.Contains(row.Text(), "Tài khoản đã đóng") {
		t.Fatalf("the queue's returned list: %q", row.Text())
	}
	// The same file again changes nothing.
	sent := z.sent
	rep = paymentReport{}
	e.paymentUpload(token, "2026-11", file).decode(&rep)
	if rep.Confirmed != 0 || rep.Returned != 0 || rep.Unchanged != 4 || len(rep.Errors) != 0 {
		t.Fatalf("again: %+v", rep)
	}
	if _, err := svc.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if again := e.totals(); again != counts || z.sent != sent {
		t.Fatalf("the same file again changed counts %+v → %+v, or sent %d more", counts, again, z.sent-sent)
	}
	e.wantExactCounters()
	if e.do("GET", "/api/v1/coverage", token, nil).decode(&cov); cov.PaidThisMonth != 3 {
		t.Fatalf("the same file again: paid this month %d", cov.PaidThisMonth)
	}
	e.wantExactPaid()
	// A commune officer's file names only their own people; others read as unknown.
	e.addUser("xa31569", ansinh.RoleProvince, "31569")
	rep = paymentReport{}
	e.paymentUpload(e.login("xa31569"), "2026-12", "cccd,ket_qua\n094152000111,thành công\n").decode(&rep)
	if len(rep.Errors) != 1 || rep.Errors[0].Message != ansinh.MsgPaymentNoPerson {
		t.Fatalf("other unit: %+v", rep)
	}
}

func (e *env) totals() ansinh.Counts {
	e.t.Helper()
	all, err := e.store.Counts(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	var sum ansinh.Counts
	for _, c := range all {
		sum = sum.Add(c)
	}
	return sum
}

// wantExactPaid fails the test when a paid counter differs from the payment results.
func (e *env) wantExactPaid() {
	e.t.Helper()
	drift, err := e.store.ReconcilePaid(context.Background(), false)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range drift {
		e.t.Fatalf("paid counter %s drifts: %+v", d.Counter, d)
	}
}

func (e *env) wantExactCounters() {
	e.t.Helper()
	drift, err := e.store.Reconcile(context.Background(), false)
	if err != nil {
		e.t.Fatal(err)
	}
	for unit, d := range drift {
		if !d.IsZero() {
			e.t.Fatalf("counters drift in %s: %+v", unit, d)
		}
	}
}
