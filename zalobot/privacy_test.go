package zalobot_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"html"
	"io"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ansinh"
	"ansinh/conversation"
	"ansinh/importer"
	"ansinh/refdata"
	"ansinh/store/storetest"
)

// The people of TestNoPersonalNumberInTheStoreFiles and their numbers, used by no
// other test: whatever of them the store's files hold, this test put there.
const (
	zaloCCCD       = "094062007788" // the beneficiary who registers through Zalo, by a proxy
	zaloProxyCCCD  = "094195003366"
	zaloProxyPhone = "0938776655"
	zaloAccount    = "8800776655443"
	zaloPhone      = "0966554433"
	webCCCD        = "094155009911" // the beneficiary who registers through the web chat
	webAccount     = "7711223344556"
	webPhone       = "0977665544"
)

// TestNoPersonalNumberInTheStoreFiles registers two people from start to end, one on
// Zalo (a proxy, with the proxy's CCCD and phone) and one on the web chat, then reads
// every file of the embedded store's data directory as bytes, and a backup of the
// store, and finds none of their CCCD, account or phone numbers in clear.
func TestNoPersonalNumberInTheStoreFiles(t *testing.T) {
	if storetest.External() {
		t.Skip("the store's files are not on this machine")
	}
	r := newRig(t)
	units, _ := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	csv := "ho_ten,cccd,ngay_sinh,gioi_tinh,ma_xa,nhom\n" +
		"Lâm Văn Bảy,094062007788,12/04/1962,Nam,31498,BTXH\n" +
		"Thạch Thị Tám,094155009911,01/01/1955,Nữ,31498,BTXH\n"
	if _, err := importer.Import(context.Background(), r.st, units, strings.NewReader(csv), int64(len(csv)),
		importer.Options{Actor: &ansinh.User{Username: "so", Role: ansinh.RoleProvince, Unit: "94"}, File: "privacy.csv"}); err != nil {
		t.Fatal(err)
	}

	// Zalo, by a proxy.
	r.say("đăng ký")
	answers := map[string]string{
		conversation.StepCCCD: zaloCCCD, conversation.StepBirth: "12/4/1962", conversation.StepWho: "Người nhận thay",
		conversation.StepProxyName: "Lâm Thị Chín", conversation.StepProxyCCCD: zaloProxyCCCD, conversation.StepProxyPhone: zaloProxyPhone,
		conversation.StepProxyRelation: "Con", conversation.StepBank: "Agribank", conversation.StepAccount: zaloAccount,
		conversation.StepHolder: "LAM THI CHIN", conversation.StepPhone: zaloPhone,
	}
	for i := 0; i < 30 && r.convStep() != conversation.StepDone; i++ {
		text, ok := answers[r.convStep()]
		if !ok { // a choice: the first button (yes, agree, send)
			buttons := r.fake.lastButtons()
			if len(buttons) == 0 {
				t.Fatalf("step %s offers no button; sent %q", r.convStep(), r.fake.texts())
			}
			text = buttons[0]
		}
		r.say(text)
	}
	zaloReg := registered(t, r, zaloCCCD)
	if zaloReg.Proxy == nil || zaloReg.Channel != ansinh.ChannelZalo {
		t.Fatalf("the Zalo registration: %+v", zaloReg)
	}
	// The summary went to Zalo through the outbox with the whole account number: the
	// outbox did carry it.
	if sent := strings.Join(r.fake.texts(), "\n"); !strings.Contains(sent, zaloAccount) || !strings.Contains(sent, zaloProxyCCCD) {
		t.Fatalf("the summary sent did not repeat the numbers: %q", sent)
	}

	// The web chat, by the beneficiary.
	web := newWebChat(t, r)
	webAnswers := map[string]string{
		conversation.StepCCCD: webCCCD, conversation.StepBirth: "01/01/1955", conversation.StepBank: "Vietcombank",
		conversation.StepAccount: webAccount, conversation.StepHolder: "THACH THI TAM", conversation.StepPhone: webPhone,
	}
	page := web.post("đăng ký")
	for i := 0; i < 30 && web.step() != conversation.StepDone; i++ {
		text, ok := webAnswers[web.step()]
		if !ok {
			text = firstButton(t, page, web.step())
		}
		page = web.post(text)
	}
	if reg := registered(t, r, webCCCD); reg.Channel != ansinh.ChannelQR || reg.AccountLast4 != webAccount[len(webAccount)-4:] {
		t.Fatalf("the web chat registration: %+v", reg)
	}

	secrets := []string{zaloCCCD, zaloCCCD[1:], zaloProxyCCCD, zaloProxyCCCD[1:], zaloProxyPhone, zaloAccount, zaloPhone,
		webCCCD, webCCCD[1:], webAccount, webPhone}
	files := 0
	err := filepath.WalkDir(storetest.DataDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() { // directories, and the store's socket
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %s in clear", filepath.Base(path), s)
			}
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("read %d files: %v", files, err)
	}

	var backup bytes.Buffer
	if _, err := r.st.Backup(context.Background(), &backup); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&backup)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil || len(raw) == 0 {
		t.Fatalf("backup: %d bytes, %v", len(raw), err)
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the backup holds %s in clear", s)
		}
	}
}

func registered(t *testing.T, r *rig, cccd string) *ansinh.Registration {
	t.Helper()
	r.settle()
	receipts, err := r.st.RegistrationReceipts(context.Background(), r.st.BeneficiaryID(cccd))
	if err != nil || len(receipts) != 1 {
		t.Fatalf("%d registrations for %s…: %v; sent %q", len(receipts), cccd[:4], err, r.fake.texts())
	}
	reg, err := r.st.Registration(context.Background(), receipts[0])
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// webChat is one person on /chat, with the cookie and the form's CSRF token.
type webChat struct {
	t       *testing.T
	r       *rig
	cookies []string
	csrf    string
	id      string
}

func newWebChat(t *testing.T, r *rig) *webChat {
	t.Helper()
	res, err := r.app.Test(httptest.NewRequest("GET", "/chat", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	w := &webChat{t: t, r: r}
	for _, c := range res.Cookies() {
		w.cookies = append(w.cookies, c.Name+"="+c.Value)
		if c.Name == "ansinh_chat" {
			w.id = c.Value
		}
	}
	w.csrf = strings.Split(strings.Split(string(page), `name="_csrf" value="`)[1], `"`)[0]
	return w
}

func (w *webChat) post(text string) string {
	w.t.Helper()
	form := url.Values{"_csrf": {w.csrf}, "text": {text}}
	req := httptest.NewRequest("POST", "/chat", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", strings.Join(w.cookies, "; "))
	res, err := w.r.app.Test(req, -1)
	if err != nil {
		w.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		w.t.Fatalf("chat %q: %d", text, res.StatusCode)
	}
	return string(b)
}

func (w *webChat) step() string {
	step, _, _, _ := w.r.st.Conversation(context.Background(), "web:"+w.id)
	return step
}

var buttonValue = regexp.MustCompile(`<button type="submit" name="text" value="([^"]*)"`)

func firstButton(t *testing.T, page, step string) string {
	t.Helper()
	m := buttonValue.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("step %s offers no button: %s", step, page)
	}
	return html.UnescapeString(m[1])
}
