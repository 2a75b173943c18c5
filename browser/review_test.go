package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ansinh"
	"ansinh/store"
)

// The commune officer of the review test, and the two beneficiaries of commune 31498
// whose submissions the officer decides on.
const (
	reviewOfficer  = "xa31498"
	reviewPassword = "xa31498-password"
	reviewCSV      = "ho_ten,cccd,ngay_sinh,gioi_tinh,ma_xa,nhom\n" +
		"Nguyễn Văn Sáu,094050001234,05/03/1950,Nam,31498,NCC\n" +
		"Trần Thị Bảy,094152000111,01/01/1952,Nữ,31498,BTXH\n"
	reviewSau       = "Nguyễn Văn Sáu"
	reviewBay       = "Trần Thị Bảy"
	reviewSauHolder = "NGUYEN VAN SAU"
	reviewBayHolder = "TRAN THI BAY"
	reviewReason    = "proxy_unauthorized"
)

// TestReviewVerifyAndReject is the acceptance of "Commune verification": a commune
// officer logs in, opens the queue, verifies one submission and rejects the other;
// the public status API then tells each submitter the outcome.
func TestReviewVerifyAndReject(t *testing.T) {
	chromiumPath(t) // skip before starting the store when there is no browser
	base := reviewStartServer(t)
	sau := reviewSubmit(t, base, map[string]any{"cccd": "094050001234", "birth_date": "1950-03-05", "submitter": "self",
		"bank_bin": "970405", "account_number": "123456789012", "account_name": "Nguyen Van Sau", "consent": true})
	bay := reviewSubmit(t, base, map[string]any{"cccd": "094152000111", "birth_date": "1952-01-01", "submitter": "self",
		"bank_bin": "970405", "account_number": "444433332222", "account_name": "Tran Thi Bay", "consent": true})

	ctx := startBrowser(t, true)
	shot := func(step string) { screenshot(t, ctx, "review-"+step) }

	// 1. Log in: the officer lands on the staff home page.
	navigate(t, ctx, base+"/dang-nhap", 200)
	typeInto(t, ctx, "#username", reviewOfficer)
	typeInto(t, ctx, "#password", reviewPassword)
	click(t, ctx, `form[action="/dang-nhap"] button[type=submit]`, 200)
	if loc := location(t, ctx); loc.Path != "/can-bo/" {
		t.Fatalf("after logging in the officer is at %s, want /can-bo/", loc)
	}
	if got := text(t, ctx, "main h1"); got != "Xin chào, "+reviewOfficer {
		t.Errorf("home page heading %q, want %q", got, "Xin chào, "+reviewOfficer)
	}

	// 2. The queue lists both submissions.
	reviewFollow(t, ctx, `//main//a[normalize-space()="Duyệt đăng ký tài khoản"]`, 200)
	if loc := location(t, ctx); loc.Path != "/can-bo/duyet" {
		t.Fatalf("the queue link leads to %s, want /can-bo/duyet", loc)
	}
	reviewQueue(t, ctx, 2, reviewSau, reviewBay)
	shot("1-queue")
	// Not asserted, but told: on a phone the table should not push the page sideways.
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > viewportWidth {
		t.Logf("note: at %d px wide the queue page is %d px wide and scrolls sideways", viewportWidth, w)
	}

	// 3. Verify Nguyễn Văn Sáu's submission.
	reviewFollow(t, ctx, reviewRowLink(reviewSau), 200)
	if loc := location(t, ctx); loc.Path != "/can-bo/duyet/"+sau {
		t.Errorf("Sáu's review page at %s, want /can-bo/duyet/%s", loc.Path, sau)
	}
	if got := text(t, ctx, "#holder"); got != reviewSauHolder {
		t.Errorf("review page holder %q, want %q", got, reviewSauHolder)
	}
	if got := text(t, ctx, "#status"); got != ansinh.StatusLabel(ansinh.StatusPending) {
		t.Errorf("review page status before deciding %q, want %q", got, ansinh.StatusLabel(ansinh.StatusPending))
	}
	shot("2-review-sau")
	click(t, ctx, "#verify", 200)
	if got := text(t, ctx, "#status"); got != "Đã xác nhận. Trợ cấp sẽ được chuyển vào tài khoản này." {
		t.Errorf("status after verifying %q, want the verified label", got)
	}
	if got := text(t, ctx, ".notice[role=status]"); got != ansinh.MsgVerifiedNotice {
		t.Errorf("notice after verifying %q, want %q", got, ansinh.MsgVerifiedNotice)
	}
	if n := reviewCount(t, ctx, "#verify, #reject"); n != 0 {
		t.Errorf("the decided submission still offers %d decision buttons", n)
	}
	shot("3-verified")

	// 4. Back to the queue: one submission left.
	reviewFollow(t, ctx, `//main//a[normalize-space()="‹ Về hàng chờ"]`, 200)
	reviewQueue(t, ctx, 1, reviewBay)

	// 5. Reject Trần Thị Bảy's submission with a reason.
	reviewFollow(t, ctx, reviewRowLink(reviewBay), 200)
	if got := text(t, ctx, "#holder"); got != reviewBayHolder {
		t.Errorf("review page holder %q, want %q", got, reviewBayHolder)
	}
	do(t, ctx, "choose a reason", chromedp.SetValue(chromedp.CSS("#reason"), reviewReason))
	if got := value(t, ctx, "#reason"); got != reviewReason {
		t.Fatalf("reason chosen %q, want %q", got, reviewReason)
	}
	click(t, ctx, "#reject", 200)
	if got := text(t, ctx, "#status"); got != "Chưa được chấp nhận" {
		t.Errorf("status after rejecting %q, want %q", got, "Chưa được chấp nhận")
	}
	if got := text(t, ctx, ".notice[role=status]"); got != ansinh.MsgRejectedNotice {
		t.Errorf("notice after rejecting %q, want %q", got, ansinh.MsgRejectedNotice)
	}
	if n := reviewCount(t, ctx, ".alert"); n != 0 {
		t.Errorf("rejecting with a reason shows an error: %q", text(t, ctx, ".alert"))
	}
	shot("4-rejected")

	// 6. The queue is empty.
	reviewFollow(t, ctx, `//main//a[normalize-space()="‹ Về hàng chờ"]`, 200)
	reviewQueue(t, ctx, 0)
	shot("5-queue-empty")

	// 7. The public status API tells each submitter the outcome.
	if status, reason := reviewStatus(t, base, sau); status != ansinh.StatusVerified {
		t.Errorf("Sáu's submission is %q (reason %q), want %q", status, reason, ansinh.StatusVerified)
	}
	if status, reason := reviewStatus(t, base, bay); status != ansinh.StatusRejected || reason == "" {
		t.Errorf("Bảy's submission is %q with reason %q, want %q with a reason", status, reason, ansinh.StatusRejected)
	}
}

// reviewStartServer runs the app over a fresh store holding the two beneficiaries of
// reviewCSV and the commune officer, and returns its base URL.
func reviewStartServer(t *testing.T) string {
	t.Helper()
	return startServerWith(t, reviewCSV, 2, func(st *store.Store) {
		if _, err := ansinh.CreateUser(context.Background(), st, &ansinh.NewUser{Username: reviewOfficer, Password: reviewPassword,
			Role: ansinh.RoleCommune, Unit: communeCode}, "test", time.Now()); err != nil {
			t.Fatalf("create the officer: %v", err)
		}
	}).URL
}

// reviewSubmit posts a registration to the public API and returns its receipt.
func reviewSubmit(t *testing.T, base string, body map[string]any) string {
	t.Helper()
	j, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(base+"/api/v1/registrations", "application/json", bytes.NewReader(j))
	if err != nil {
		t.Fatalf("submit %s: %v", body["cccd"], err)
	}
	b := reviewBody(t, res)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("submit %s: %d %s", body["cccd"], res.StatusCode, b)
	}
	var out struct{ Receipt string }
	if err := json.Unmarshal(b, &out); err != nil || out.Receipt == "" {
		t.Fatalf("submit %s: no receipt in %s (%v)", body["cccd"], b, err)
	}
	return out.Receipt
}

// reviewStatus asks the public API for a submission's status and reason.
func reviewStatus(t *testing.T, base, receipt string) (status, reason string) {
	t.Helper()
	res, err := http.Get(base + "/api/v1/registrations/" + receipt)
	if err != nil {
		t.Fatalf("status of %s: %v", receipt, err)
	}
	b := reviewBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status of %s: %d %s", receipt, res.StatusCode, b)
	}
	var out struct{ Receipt, Status, Reason string }
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("status of %s: %s: %v", receipt, b, err)
	}
	return out.Status, out.Reason
}

func reviewBody(t *testing.T, res *http.Response) []byte {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	return b
}

// reviewFollow clicks the element an XPath query finds (a link, a button) and checks
// the HTTP status of the page it loads.
func reviewFollow(t *testing.T, ctx context.Context, xpath string, wantStatus int64) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.Search(xpath)))
	if err != nil {
		t.Fatalf("click %s: %v", xpath, err)
	}
	if resp == nil || resp.Status != wantStatus {
		t.Fatalf("click %s: the page came with status %v, want %d", xpath, status(resp), wantStatus)
	}
}

// reviewRowLink is the XPath of a beneficiary's link in the queue table.
func reviewRowLink(name string) string {
	return fmt.Sprintf(`//table[@id="queue"]//a[normalize-space()=%q]`, name)
}

// reviewCount counts the elements that match a CSS selector.
func reviewCount(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return eval[int](t, ctx, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// reviewQueue checks the queue page: its total, its rows and the names they list.
func reviewQueue(t *testing.T, ctx context.Context, total int, names ...string) {
	t.Helper()
	if got := text(t, ctx, "#total"); got != fmt.Sprint(total) {
		t.Errorf("queue #total %q, want %d", got, total)
	}
	if got := reviewCount(t, ctx, "#queue tbody tr"); got != len(names) {
		t.Errorf("queue lists %d rows, want %d", got, len(names))
	}
	listed := eval[[]string](t, ctx, `[...document.querySelectorAll('#queue tbody tr a')].map(a => a.textContent.trim())`)
	for _, n := range names {
		found := false
		for _, l := range listed {
			found = found || l == n
		}
		if !found {
			t.Errorf("queue lists %q, want it to list %s", strings.Join(listed, ", "), n)
		}
	}
}
