package browser_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ansinh"
	"ansinh/store"
)

// The staff pages are used on an office computer: the tests below run at 1366 × 768,
// the most common screen of the communes' computers, with scripts on (the checks need
// them; the pages themselves use none).
const (
	desktopWidth  = 1366
	desktopHeight = 768
)

// startDesktop opens a headless Chromium tab at an office computer's screen.
func startDesktop(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*browserTimeout)
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		bcancel()
		acancel()
		cancel()
	})
	do(t, bctx, "start the browser", chromedp.EmulateViewport(desktopWidth, desktopHeight))
	return bctx
}

// staffUser is a staff account the tests log in with (its password is not one-time).
type staffUser struct {
	name string
	role ansinh.Role
	unit string
}

func (u staffUser) password() string { return u.name + "-password" }

// seedStaff creates the accounts in the store before the app starts.
func seedStaff(t *testing.T, users ...staffUser) func(*store.Store) {
	return func(st *store.Store) {
		for _, u := range users {
			if _, err := ansinh.CreateUser(context.Background(), st, &ansinh.NewUser{Username: u.name, Password: u.password(),
				Role: u.role, Unit: u.unit}, "test", time.Now()); err != nil {
				t.Fatalf("create %s: %v", u.name, err)
			}
		}
	}
}

// logIn logs in on the login page and checks where the browser lands.
func logIn(t *testing.T, ctx context.Context, base, username, password, wantPath string) {
	t.Helper()
	navigate(t, ctx, base+"/dang-nhap", 200)
	typeInto(t, ctx, "#username", username)
	typeInto(t, ctx, "#password", password)
	click(t, ctx, `form[action="/dang-nhap"] button[type=submit]`, 200)
	if loc := location(t, ctx); loc.Path != wantPath {
		t.Fatalf("after logging in as %s the browser is at %s, want %s", username, loc, wantPath)
	}
}

// logOut posts the logout form of the page (the staff home has one; so has the
// forced change form).
func logOut(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	navigate(t, ctx, base+"/can-bo/", 200)
	click(t, ctx, `form[action="/dang-xuat"] button`, 200)
}

var oneTimeRE = regexp.MustCompile(`^[2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4}$`)

// TestUserManagementAndForcedPasswordChange: a district officer lists the accounts
// of the district, creates one for a commune officer and reads its one-time password
// once; the new officer logs in with it, can go nowhere but the change form, changes
// it, and then works. Then the district officer locks the account: it logs in no
// more. Every page passes the accessibility checks.
func TestUserManagementAndForcedPasswordChange(t *testing.T) {
	chromiumPath(t)
	district := staffUser{"huyen941", ansinh.RoleDistrict, "941"}
	other := staffUser{"xa31569", ansinh.RoleCommune, "31569"} // another district's
	srv := startServerWith(t, seedCSV, 1, seedStaff(t, district, other, staffUser{"xa31498", ansinh.RoleCommune, communeCode}))
	ctx := startDesktop(t)
	shot := func(step string) { screenshot(t, ctx, "staff-"+step) }

	// 1. The district's accounts, with the buttons the district officer may use.
	logIn(t, ctx, srv.URL, district.name, district.password(), "/can-bo/")
	navigate(t, ctx, srv.URL+"/can-bo/nguoi-dung", 200)
	listed := eval[[]string](t, ctx, `[...document.querySelectorAll('#users tbody tr')].map(r => r.dataset.username)`)
	if !slices.Equal(listed, []string{"huyen941", "xa31498"}) {
		t.Errorf("the district's accounts are %q, want huyen941 and xa31498 (not %s of another district)", listed, other.name)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('tr[data-username="huyen941"] button').length`); n != 0 {
		t.Errorf("the officer may lock or reset their own account: %d buttons", n)
	}
	checkA11y(t, ctx, "users")
	shot("1-users")

	// 2. A new account: the form, then its one-time password, once.
	click(t, ctx, "#new-user", 200)
	checkA11y(t, ctx, "user-new")
	typeInto(t, ctx, "#username", "xa.31498.lan")
	do(t, ctx, "choose the role and unit", chromedp.SetValue(chromedp.CSS("#role"), string(ansinh.RoleCommune)),
		chromedp.SetValue(chromedp.CSS("#unit"), communeCode))
	typeInto(t, ctx, "#phone", "0912 345 678")
	shot("2-user-new")
	click(t, ctx, "#create-user", 200)
	if loc := location(t, ctx); loc.Path != "/can-bo/nguoi-dung/xa.31498.lan/mat-khau-mot-lan" {
		t.Fatalf("after creating the account the browser is at %s", loc)
	}
	password := text(t, ctx, "#one-time-password")
	if !oneTimeRE.MatchString(password) {
		t.Fatalf("one-time password %q", password)
	}
	checkA11y(t, ctx, "user-one-time")
	shot("3-one-time-password")
	navigate(t, ctx, srv.URL+"/can-bo/nguoi-dung/xa.31498.lan/mat-khau-mot-lan", 200)
	if n := reviewCount(t, ctx, "#one-time-password"); n != 0 || text(t, ctx, "#one-time-gone") != ansinh.MsgOneTimeGone {
		t.Fatal("a reload shows the one-time password again")
	}
	logOut(t, ctx, srv.URL)

	// 3. The new officer: the one-time password leads to the change form, and only there.
	logIn(t, ctx, srv.URL, "xa.31498.lan", password, "/can-bo/mat-khau")
	if n := reviewCount(t, ctx, "#forced"); n != 1 {
		t.Fatal("the change form does not say why")
	}
	checkA11y(t, ctx, "password-forced")
	shot("4-password-forced")
	navigate(t, ctx, srv.URL+"/can-bo/duyet", 200)
	if loc := location(t, ctx); loc.Path != "/can-bo/mat-khau" {
		t.Fatalf("with a one-time password the queue opened (%s)", loc)
	}
	typeInto(t, ctx, "#current", password)
	typeInto(t, ctx, "#new", "mùa lúa chín vàng 2026")
	typeInto(t, ctx, "#confirm", "mùa lúa chín vàng 2027")
	click(t, ctx, "#save-password", 422)
	if got := text(t, ctx, "#err-confirm"); got != ansinh.MsgPasswordMismatch {
		t.Errorf("mistyped confirmation: %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('#confirm').getAttribute('aria-invalid')`); got != "true" {
		t.Errorf("the mistyped field is not marked: aria-invalid=%q", got)
	}
	checkA11y(t, ctx, "password-error")
	shot("5-password-error")
	typeInto(t, ctx, "#current", password)
	typeInto(t, ctx, "#new", "mùa lúa chín vàng 2026")
	typeInto(t, ctx, "#confirm", "mùa lúa chín vàng 2026")
	click(t, ctx, "#save-password", 200)
	if loc := location(t, ctx); loc.Path != "/can-bo/tai-khoan" {
		t.Fatalf("after the change the browser is at %s", loc)
	}
	if got := text(t, ctx, ".notice[role=status]"); got != ansinh.MsgPasswordChanged {
		t.Errorf("notice after the change %q", got)
	}
	if n := reviewCount(t, ctx, "#logins tbody tr.login-ok"); n != 1 {
		t.Errorf("the account page lists %d successful logins, want 1", n)
	}
	checkA11y(t, ctx, "account")
	shot("6-account")
	navigate(t, ctx, srv.URL+"/can-bo/duyet", 200)
	if loc := location(t, ctx); loc.Path != "/can-bo/duyet" {
		t.Fatalf("after the change the queue is still closed (%s)", loc)
	}
	logOut(t, ctx, srv.URL)

	// 4. Locked by the district officer, the account logs in no more.
	logIn(t, ctx, srv.URL, district.name, district.password(), "/can-bo/")
	navigate(t, ctx, srv.URL+"/can-bo/nguoi-dung", 200)
	click(t, ctx, `tr[data-username="xa.31498.lan"] button.disable`, 200)
	if got := text(t, ctx, ".notice[role=status]"); got != fmt.Sprintf(ansinh.MsgUserDisabledNotice, "xa.31498.lan") {
		t.Errorf("notice after locking %q", got)
	}
	if got := text(t, ctx, `tr[data-username="xa.31498.lan"] .state`); !strings.HasSuffix(got, "Đã khóa") {
		t.Errorf("state after locking %q", got)
	}
	shot("7-locked")
	logOut(t, ctx, srv.URL)
	navigate(t, ctx, srv.URL+"/dang-nhap", 200)
	typeInto(t, ctx, "#username", "xa.31498.lan")
	typeInto(t, ctx, "#password", "mùa lúa chín vàng 2026")
	click(t, ctx, `form[action="/dang-nhap"] button[type=submit]`, 401)
	if got := text(t, ctx, ".alert"); got != ansinh.MsgAccountDisabled {
		t.Errorf("login of a locked account says %q", got)
	}
}

// The three people of the queue test, all of Phường 5: Sáu and Bảy register into
// their own accounts (information only: the police have not checked them yet), Chín
// into her son's (a warning: nobody has seen the authorisation).
const queueCSV = reviewCSV + "Lê Thị Chín,094155000333,09/09/1955,Nữ,31498,BTXH\n"

// TestQueueBulkVerifyAndReviewInPlace: at 1366 px the commune officer's queue is in
// Vietnamese, with signs and colours, warnings apart from information; the two
// submissions that carry only information are ticked and verified at once; the proxy
// submission's page shows the proxy and the authorisation, reveals its numbers in
// place, and a rejection missing its note keeps the chosen reason.
func TestQueueBulkVerifyAndReviewInPlace(t *testing.T) {
	chromiumPath(t)
	officer := staffUser{"xa31498", ansinh.RoleCommune, communeCode}
	srv := startServerWith(t, queueCSV, 3, seedStaff(t, officer))
	sau := reviewSubmit(t, srv.URL, map[string]any{"cccd": "094050001234", "birth_date": "1950-03-05", "submitter": "self",
		"bank_bin": "970405", "account_number": "123456789012", "account_name": "Nguyen Van Sau", "consent": true})
	bay := reviewSubmit(t, srv.URL, map[string]any{"cccd": "094152000111", "birth_date": "1952-01-01", "submitter": "self",
		"bank_bin": "970405", "account_number": "444433332222", "account_name": "Tran Thi Bay", "consent": true})
	chin := reviewSubmit(t, srv.URL, map[string]any{"cccd": "094155000333", "birth_date": "1955-09-09", "submitter": "proxy",
		"proxy":    map[string]any{"name": "Lê Văn Mười", "cccd": "094080001111", "phone": "0987654321", "relationship": "con"},
		"bank_bin": "970405", "account_number": "555566667777", "account_name": "Le Van Muoi", "phone": "0912000111", "consent": true})
	ctx := startDesktop(t)
	shot := func(step string) { screenshot(t, ctx, "queue-"+step) }

	logIn(t, ctx, srv.URL, officer.name, officer.password(), "/can-bo/")
	navigate(t, ctx, srv.URL+"/can-bo/duyet", 200)
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > desktopWidth {
		t.Errorf("at %d px the queue is %d px wide", desktopWidth, w)
	}
	headers := eval[[]string](t, ctx, `[...document.querySelectorAll('#queue thead th')].map(th => th.textContent.trim())`)
	if want := []string{"Chọn", "Người hưởng", "Nhận thay", "Kênh", "Gửi lúc", "Chờ", "Cảnh báo", "Thông tin"}; !slices.Equal(headers, want) {
		t.Errorf("queue columns %q, want %q", headers, want)
	}
	page := text(t, ctx, "#queue")
	for _, code := range []string{"identity", "holder_name", "proxy_authorisation", "info", "warning"} {
		if strings.Contains(page, code) {
			t.Errorf("the queue shows %q", code)
		}
	}
	row := func(receipt, cell string) string {
		return text(t, ctx, fmt.Sprintf(`#queue tr[data-receipt=%q] td.%s`, receipt, cell))
	}
	if got := row(sau, "infos"); got != "ℹ Chưa đối chiếu căn cước" {
		t.Errorf("Sáu's information %q", got)
	}
	if got := row(chin, "warnings"); got != "⚠ Cần xem giấy ủy quyền" {
		t.Errorf("Chín's warnings %q", got)
	}
	if got := row(chin, "proxy"); !strings.Contains(got, "Lê Văn Mười (con)") {
		t.Errorf("Chín's proxy %q", got)
	}
	// The colours come from the stylesheet: a warning is amber, information blue.
	if bg := eval[string](t, ctx, `getComputedStyle(document.querySelector('td.warnings .badge')).backgroundColor`); bg != "rgb(255, 243, 196)" {
		t.Errorf("a warning's colour %s", bg)
	}
	if bg := eval[string](t, ctx, `getComputedStyle(document.querySelector('td.infos .badge')).backgroundColor`); bg != "rgb(230, 238, 251)" {
		t.Errorf("information's colour %s", bg)
	}
	boxes := eval[[]string](t, ctx, `[...document.querySelectorAll('#queue input[name=ids]')].map(b => b.value)`)
	if !slices.Equal(boxes, []string{sau, bay}) {
		t.Fatalf("tickable submissions %q, want Sáu's and Bảy's", boxes)
	}
	checkA11y(t, ctx, "queue")
	shot("1-queue")

	do(t, ctx, "tick the two", chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[value=%q]`, sau))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[value=%q]`, bay))))
	click(t, ctx, "#bulk-verify", 200)
	if got := text(t, ctx, ".notice[role=status]"); got != ansinh.MsgBulkDone(2, 0) {
		t.Errorf("after the bulk verification %q", got)
	}
	reviewQueue(t, ctx, 1, "Lê Thị Chín")
	shot("2-after-bulk")
	for _, r := range []string{sau, bay} {
		if status, _ := reviewStatus(t, srv.URL, r); status != ansinh.StatusVerified {
			t.Errorf("%s is %s after the bulk verification", r, status)
		}
	}

	// The proxy submission: its details, an in-place reveal, a rejection missing its note.
	reviewFollow(t, ctx, reviewRowLink("Lê Thị Chín"), 200)
	if got := text(t, ctx, "#proxy-cccd"); got != "••••••••1111" {
		t.Errorf("the proxy's CCCD before the reveal %q", got)
	}
	if got := text(t, ctx, "#authorisation"); !strings.Contains(got, "giấy ủy quyền") {
		t.Errorf("authorisation %q", got)
	}
	checkA11y(t, ctx, "review-proxy")
	shot("3-review-proxy")
	click(t, ctx, "#reveal", 200)
	if loc := location(t, ctx); loc.Path != "/can-bo/duyet/"+chin {
		t.Errorf("the reveal left the page for %s", loc)
	}
	for sel, want := range map[string]string{"#proxy-cccd": "094080001111", "#proxy-phone": "0987654321", "#phone": "0912000111",
		"#account": "555566667777", "#cccd": "094155000333"} {
		if got := text(t, ctx, sel); got != want {
			t.Errorf("revealed %s %q, want %q", sel, got, want)
		}
	}
	shot("4-revealed")
	do(t, ctx, "choose other", chromedp.SetValue(chromedp.CSS("#reason"), "other"))
	click(t, ctx, "#reject", 422)
	if got := value(t, ctx, "#reason"); got != "other" {
		t.Errorf("after a rejection without its note the reason is %q", got)
	}
	if got := text(t, ctx, "#err-note"); got != ansinh.MsgRejectNote {
		t.Errorf("the note's error %q", got)
	}
	checkA11y(t, ctx, "review-error")
	shot("5-reject-needs-note")
	typeInto(t, ctx, "#note", "Xin mang giấy ủy quyền có xác nhận đến UBND phường.")
	click(t, ctx, "#reject", 200)
	if status, reason := reviewStatus(t, srv.URL, chin); status != ansinh.StatusRejected || !strings.Contains(reason, "giấy ủy quyền") {
		t.Errorf("Chín's submission is %s (%q)", status, reason)
	}
}

// TestDashboardHeadlineAndReportPreview: at 1366 px the district officer's dashboard
// opens with the district's own shortfall, the quick win of the waiting submission and
// each commune's people and officer; the report preview shows the official heading,
// refuses to freeze without the confirmation, and freezes with it.
func TestDashboardHeadlineAndReportPreview(t *testing.T) {
	chromiumPath(t)
	district := staffUser{"huyen941", ansinh.RoleDistrict, "941"}
	srv := startServerWith(t, queueCSV, 3, func(st *store.Store) {
		seedStaff(t, district)(st)
		if _, err := ansinh.CreateUser(context.Background(), st, &ansinh.NewUser{Username: "xa31498", Password: "xa31498-password",
			Role: ansinh.RoleCommune, Unit: communeCode, Phone: "0912345678"}, "test", time.Now()); err != nil {
			t.Fatal(err)
		}
	})
	reviewSubmit(t, srv.URL, map[string]any{"cccd": "094050001234", "birth_date": "1950-03-05", "submitter": "self",
		"bank_bin": "970405", "account_number": "123456789012", "account_name": "Nguyen Van Sau", "consent": true})
	ctx := startDesktop(t)
	shot := func(step string) { screenshot(t, ctx, "dashboard-"+step) }

	logIn(t, ctx, srv.URL, district.name, district.password(), "/can-bo/")
	navigate(t, ctx, srv.URL+"/can-bo/tong-quan", 200)
	if got := text(t, ctx, "#headline-target"); got != "⚠ Thành phố Sóc Trăng cần thêm 1 người có tài khoản để đạt 30\u00a0%." {
		t.Errorf("headline %q", got)
	}
	if got := text(t, ctx, "#headline-all"); !strings.Contains(got, "cần thêm 3 người") {
		t.Errorf("to every eligible person %q", got)
	}
	if got := text(t, ctx, "#pending"); !strings.Contains(got, "1 hồ sơ đang chờ duyệt") || !strings.Contains(got, "33,33\u00a0%") {
		t.Errorf("quick win %q", got)
	}
	if got := text(t, ctx, `#units tr[data-unit="31498"] td.officer`); got != "xa31498: 0912345678" {
		t.Errorf("Phường 5's officer %q", got)
	}
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > desktopWidth {
		t.Errorf("at %d px the dashboard is %d px wide", desktopWidth, w)
	}
	checkA11y(t, ctx, "dashboard")
	shot("1-district")

	click(t, ctx, "#report-preview", 200)
	if loc := location(t, ctx); loc.Path != "/can-bo/bao-cao" {
		t.Fatalf("the preview link leads to %s", loc)
	}
	if got := text(t, ctx, "#preview .motto"); !strings.Contains(got, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") {
		t.Errorf("motto %q", got)
	}
	if got := text(t, ctx, "#preview .issuer"); !strings.Contains(got, "UBND THÀNH PHỐ SÓC TRĂNG") {
		t.Errorf("issuer %q", got)
	}
	if got := text(t, ctx, "#report-total td"); got != "3" {
		t.Errorf("total %q", got)
	}
	checkA11y(t, ctx, "report-preview")
	shot("2-report-preview")
	// Without the tick the browser does not post (required); the server refuses too,
	// which a post without it (the attribute removed) shows.
	do(t, ctx, "drop the required tick", chromedp.Evaluate[chromedp.Void](`document.querySelector('#confirm').removeAttribute('required')`))
	click(t, ctx, "#send-report", 422)
	if got := text(t, ctx, "#message"); got != ansinh.MsgReportConfirm {
		t.Errorf("without the confirmation %q", got)
	}
	checkA11y(t, ctx, "report-unconfirmed")
	do(t, ctx, "tick the confirmation", chromedp.Click(chromedp.CSS("#confirm")))
	click(t, ctx, "#send-report", 200)
	if got := text(t, ctx, ".notice[role=status]"); got != ansinh.MsgReportSentNow {
		t.Errorf("after sending %q", got)
	}
	if got := text(t, ctx, "#report-status"); !strings.Contains(got, "Đã gửi và chốt số liệu") {
		t.Errorf("status after sending %q", got)
	}
	if n := reviewCount(t, ctx, "#submit-report"); n != 0 {
		t.Error("a sent report can be sent again")
	}
	shot("3-report-sent")
}

// TestAuditPageInBrowser: the province officer filters the audit trail by user and
// action at 1366 px; the page passes the accessibility checks, with and without an
// error.
func TestAuditPageInBrowser(t *testing.T) {
	chromiumPath(t)
	province := staffUser{"so.yte", ansinh.RoleProvince, "94"}
	srv := startServerWith(t, seedCSV, 1, seedStaff(t, province, staffUser{"xa31498", ansinh.RoleCommune, communeCode}))
	ctx := startDesktop(t)
	logIn(t, ctx, srv.URL, "xa31498", "xa31498-password", "/can-bo/")
	logOut(t, ctx, srv.URL)
	logIn(t, ctx, srv.URL, province.name, province.password(), "/can-bo/")
	navigate(t, ctx, srv.URL+"/can-bo/nhat-ky", 200)
	typeInto(t, ctx, "#actor", "xa31498")
	do(t, ctx, "choose the action", chromedp.SetValue(chromedp.CSS("#action"), ansinh.ActionLogin))
	click(t, ctx, `#audit-filters button[type=submit]`, 200)
	if got := text(t, ctx, "#total"); got != "1" {
		t.Errorf("xa31498's logins: %s", got)
	}
	if got := text(t, ctx, "#audit tbody td.target"); got != "user:xa31498" {
		t.Errorf("the record %q", got)
	}
	checkA11y(t, ctx, "audit")
	screenshot(t, ctx, "audit-1-filtered")
	navigate(t, ctx, srv.URL+"/can-bo/nhat-ky?target=xa31498", 422)
	if got := text(t, ctx, "#err-target"); got != ansinh.MsgAuditFilterTarget {
		t.Errorf("a record without its kind: %q", got)
	}
	checkA11y(t, ctx, "audit-error")
	screenshot(t, ctx, "audit-2-error")
}
