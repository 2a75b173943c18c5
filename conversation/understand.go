package conversation

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"ansinh"
	"ansinh/fold"
)

// Intent is what a message asks for, with the value it carries.
type Intent struct {
	Name  string
	Value string
}

// Intent names. The commands and choices come from the pattern table below; the
// values (receipt, CCCD, date, bank, number, phone) are read from the text itself.
const (
	IntentGreeting  = "greeting"
	IntentRegister  = "register"
	IntentStatus    = "status"    // Value: the receipt (10 characters, no dash), or ""
	IntentStatusID  = "status_id" // look the status up by identity (CCCD + birth date)
	IntentHelp      = "help"      // which topics there are
	IntentHelpWhere = "help_where"
	IntentHelpFree  = "help_free"
	IntentHelpBring = "help_bring"
	IntentHelpProxy = "help_proxy"
	IntentOfficer   = "officer"
	IntentCancel    = "cancel"
	IntentRestart   = "restart"
	IntentYes       = "yes"
	IntentNo        = "no"
	IntentSelf      = "self"
	IntentProxy     = "proxy"
	IntentSkip      = "skip"
	IntentEdit      = "edit"
	IntentOtherBank = "other_bank"
	IntentCCCD      = "cccd"   // Value: the 12-digit CCCD
	IntentDate      = "date"   // Value: "YYYY-MM-DD"
	IntentBank      = "bank"   // Value: the bank's NAPAS BIN
	IntentNumber    = "number" // Value: the digits (an account number, most likely)
	IntentPhone     = "phone"  // Value: the phone number, 0xxxxxxxxx
	IntentThanks    = "thanks"
	IntentUnknown   = "unknown"
)

// rules is the language: for each intent, the phrases that say it, written as people
// type them (accents, case and doubled letters do not matter; abbreviations are
// expanded first). A phrase starting with "=" must be the whole message (polite
// particles aside); any other phrase may appear anywhere in it. The longest phrase
// found wins; on a tie, the rule listed first.
var rules = []struct {
	intent  string
	phrases []string
}{
	{IntentCancel, []string{"=hủy", "hủy bỏ", "hủy đăng ký", "=hủy đi", "=thoát", "=cancel", "=stop", "dừng lại", "không đăng ký nữa",
		"không làm nữa", "thôi không đăng ký", "=kết thúc", "=bỏ", "=xóa hết"}},
	{IntentRestart, []string{"làm lại", "bắt đầu lại", "đăng ký lại", "lại từ đầu", "làm lại từ đầu", "nhập lại từ đầu",
		"=restart", "=reset", "=từ đầu"}},
	{IntentOfficer, []string{"gặp cán bộ", "cán bộ", "gặp người", "nói chuyện với người", "nhân viên", "tổng đài", "hotline",
		"người thật", "gặp trực tiếp", "liên hệ xã", "liên lạc", "liên hệ", "số điện thoại cán bộ", "số điện thoại xã",
		"ủy ban xã", "ubnd xã", "gọi xã"}},
	{IntentStatusID, []string{"tra cứu bằng cccd", "tra cứu bằng căn cước", "tra bằng cccd", "quên mã", "mất mã", "không nhớ mã",
		"không có mã", "mất biên nhận", "quên biên nhận", "quên mã biên nhận", "mất mã biên nhận", "không nhớ mã biên nhận"}},
	{IntentStatus, []string{"tra cứu", "=tra", "kiểm tra hồ sơ", "kiểm tra đăng ký", "kiểm tra tình trạng", "tình trạng", "trạng thái",
		"kết quả", "xem hồ sơ", "hồ sơ của tôi", "duyệt chưa", "xong chưa", "được duyệt chưa", "đăng ký được chưa",
		"mã biên nhận", "biên nhận", "=kiểm tra", "đã xác nhận chưa", "đã nhận được chưa", "bao giờ có tiền",
		"khi nào có tiền", "tiền về chưa", "đã về chưa", "khi nào nhận được tiền", "bao giờ nhận được tiền"}},
	{IntentHelpProxy, []string{"ai được nhận thay", "ai nhận thay", "ai có thể nhận thay", "nhận thay được không", "nhận hộ được không",
		"nhận thay là gì", "nhận thay là sao", "nhận thay thế nào", "nhận thay như thế nào", "nhận thay cần gì", "người nhận thay là ai",
		"ủy quyền là gì", "ủy quyền thế nào", "ủy quyền như thế nào", "giấy ủy quyền", "ai được nhận hộ", "lãnh thay được không",
		"nhận giùm được không", "con nhận được không", "cho con nhận được không"}},
	{IntentHelpFree, []string{"mất phí", "miễn phí", "tốn phí", "có phí", "phí bao nhiêu", "lệ phí", "mất tiền", "tốn tiền", "mất bao nhiêu tiền",
		"tốn bao nhiêu", "trả phí", "đóng phí", "thu phí", "phí duy trì", "phí thường niên", "có mất phí không", "có tính phí",
		"phải trả tiền", "có mất gì không", "có tốn tiền không", "có mất tiền không", "có tốn phí không", "có thu phí không"}},
	{IntentHelpBring, []string{"mang gì", "mang theo gì", "cần mang", "giấy tờ gì", "cần giấy tờ", "cần những gì", "cần gì",
		"chuẩn bị gì", "hồ sơ gồm", "cần những giấy tờ", "đem theo gì", "đem gì", "thủ tục", "cần chuẩn bị"}},
	{IntentHelpWhere, []string{"mở tài khoản", "mở số tài khoản", "mở thẻ", "làm thẻ", "làm tài khoản", "tạo tài khoản",
		"chưa có tài khoản", "không có tài khoản", "chưa có thẻ", "chưa có số tài khoản", "mở ở đâu", "làm ở đâu",
		"ngân hàng ở đâu", "ngân hàng nào", "phòng giao dịch", "điểm giao dịch", "ngân hàng gần nhà",
		"hướng dẫn mở tài khoản", "cách mở tài khoản", "mở tài khoản như thế nào", "mở tài khoản ở đâu", "chưa có ngân hàng"}},
	{IntentHelp, []string{"hướng dẫn", "giúp đỡ", "=help", "=giúp", "=giúp với", "cần giúp", "trợ giúp", "=hỏi", "hỏi chút", "hỏi xíu",
		"=?"}},
	{IntentOtherBank, []string{"ngân hàng khác", "=khác", "ngân hàng nào khác", "=cái khác", "chỗ khác"}},
	{IntentEdit, []string{"sửa lại", "=sửa", "chỉnh sửa", "sửa thông tin", "thay đổi", "nhập lại", "sửa tên", "=đổi", "=viết lại",
		"=gõ lại", "sai tên"}},
	{IntentSkip, []string{"bỏ qua", "=skip", "=không có", "không có số", "để sau", "=không cần", "không có điện thoại",
		"không có số điện thoại", "không muốn cho", "=không có sđt", "=qua"}},
	{IntentProxy, []string{"người nhận thay", "nhận thay", "nhận hộ", "=thay", "=hộ", "đăng ký hộ", "đăng ký thay", "đăng ký giúp",
		"làm hộ", "làm giúp", "tôi là con", "là con của", "là cháu", "con của", "cháu của", "người thân", "được ủy quyền",
		"tài khoản của con", "tài khoản con", "tài khoản của cháu", "nhận giùm", "đăng ký cho mẹ", "đăng ký cho cha",
		"đăng ký cho ba", "đăng ký cho bố", "đăng ký cho ông", "đăng ký cho bà", "cho mẹ", "cho ba tôi", "cho bố tôi", "lãnh thay"}},
	{IntentSelf, []string{"chính người hưởng", "chính tôi", "bản thân", "tôi là người hưởng", "người hưởng", "=của tôi",
		"tài khoản của tôi", "tự đăng ký", "chính chủ", "=tôi", "=mình", "=tui", "=bác", "tự nhận",
		"tôi tự nhận", "chính mình", "của chính tôi", "tài khoản của bác", "=của bác", "=là tôi"}},
	{IntentNo, []string{"=không", "=no", "=sai", "=chưa đúng", "không đồng ý", "không đúng", "=không phải", "=chưa", "sai rồi",
		"=thôi", "từ chối", "không chịu", "=không sửa", "không sửa", "=không muốn", "=ko đồng ý", "=sai rồi"}},
	{IntentYes, []string{"=có", "=đúng", "=đúng rồi", "=vâng", "=dạ", "=ok", "=oke", "=okie", "=okay", "=ừ", "=uh", "=ừm", "=um", "=uhm",
		"=yes", "=y", "đồng ý", "=gửi", "gửi đi", "=gửi đăng ký", "chính xác", "=phải", "=chắc chắn", "=được", "xác nhận", "=chuẩn",
		"gửi luôn", "=đúng vậy", "=đúng rồi đó", "=gửi ngay", "=ok gửi", "đúng rồi"}},
	{IntentRegister, []string{"đăng ký", "đăng ký tài khoản", "đăng ký nhận", "đăng ký số tài khoản", "nhận trợ cấp qua tài khoản",
		"nhận qua tài khoản", "nhận tiền qua ngân hàng", "nhận qua ngân hàng", "đăng ký ngay", "cập nhật tài khoản",
		"đổi tài khoản", "thay tài khoản", "đổi số tài khoản", "khai báo tài khoản", "nhận tiền qua thẻ", "chuyển khoản",
		"qua thẻ", "qua atm", "qua tài khoản", "vào tài khoản", "nhận tiền qua tài khoản"}},
	{IntentThanks, []string{"cảm ơn", "cám ơn", "=thanks", "=thank you", "=tks", "=camon", "=thank", "=ok cảm ơn"}},
	{IntentGreeting, []string{"xin chào", "=chào", "=hello", "=hi", "=alo", "=menu", "=bắt đầu", "=start", "chào bạn", "chào em",
		"chào ad", "=bạn ơi", "=ad ơi", "=có ai không", "về menu", "trang chính", "=quay về", "=hey", "chào shop",
		"=get started", "chào anh", "chào chị", "=cho hỏi"}},
}

// abbreviations are how people shorten words on Zalo, and the typos that come with
// typing without a Vietnamese keyboard. Keys and values are folded like messages.
var abbreviations = map[string]string{
	"ko": "không", "k": "không", "kg": "không", "khg": "không", "hok": "không", "hong": "không", "hông": "không", "hem": "không",
	"kh": "không", "khong": "không", "k0": "không",
	"dc": "được", "đc": "được", "dk": "đăng ký", "đk": "đăng ký", "dky": "đăng ký", "dki": "đăng ký", "dangky": "đăng ký", "dangki": "đăng ký",
	"dag": "đăng", "ki": "ký",
	"tk": "tài khoản", "stk": "số tài khoản", "taikhoan": "tài khoản", "sotaikhoan": "số tài khoản",
	"ng": "người", "bt": "bình thường", "j": "gì", "z": "gì", "gj": "gì", "ntn": "như thế nào", "sdt": "số điện thoại", "sđt": "số điện thoại",
	"cb": "cán bộ", "canbo": "cán bộ", "tracuu": "tra cứu", "tracu": "tra cứu", "lamlai": "làm lại", "xinchao": "xin chào",
	"nganhang": "ngân hàng", "nh": "ngân hàng", "dongy": "đồng ý", "mienphi": "miễn phí", "matphi": "mất phí", "huongdan": "hướng dẫn",
	"huybo": "hủy bỏ", "boqua": "bỏ qua", "r": "rồi", "vs": "với", "oki": "ok", "okela": "ok", "okê": "ok", "uk": "ừ", "uhm": "ừm",
	"cmnd": "cccd", "cancuoc": "căn cước", "bn": "bao nhiêu", "mk": "mình", "mik": "mình", "t": "tôi", "e": "em",
	"ms": "mới", "cx": "cũng", "bik": "biết", "bít": "biết", "bjt": "biết", "hk": "không", "thik": "thích", "tn": "thế nào",
	"ak": "à",
}

// particles are polite words around a message that do not change what it asks.
var (
	leadingParticles  = words("dạ vâng thì tôi em mình tui con cháu bác anh chị muốn xin cho giúp hãy vui lòng làm ơn ơi à ờ thế vậy")
	trailingParticles = words("ạ à nhé nha nhen nhỉ ơi đi hả nè ha ah ak ad bạn shop em với giúp luôn cái ạ ah nhá")
)

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[foldWord(w)] = true
	}
	return m
}

// foldWord lower-cases, removes accents and squeezes doubled letters ("huyyy" →
// "huy"; "cứu" and "cuuu" both become "cu").
func foldWord(w string) string {
	w = strings.ToLower(fold.Accents(w))
	var b strings.Builder
	var last rune
	for _, r := range w {
		if r == last && unicode.IsLetter(r) {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	return b.String()
}

// tokens splits a message into folded words, letters and digits only.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(fold.Accents(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

type pattern struct {
	intent string
	words  []string
	exact  bool
}

type language struct {
	patterns []pattern
	abbrev   map[string][]string
	vocab    map[string]bool
}

var lang = sync.OnceValue(func() *language {
	l := &language{abbrev: map[string][]string{}, vocab: map[string]bool{}}
	for k, v := range abbreviations {
		var ws []string
		for _, t := range tokens(v) {
			ws = append(ws, foldWord(t))
		}
		l.abbrev[foldWord(k)] = ws
		for _, w := range ws {
			l.vocab[w] = true
		}
	}
	for _, r := range rules {
		for _, p := range r.phrases {
			exact := strings.HasPrefix(p, "=")
			p = strings.TrimPrefix(p, "=")
			var ws []string
			for _, t := range tokens(p) {
				ws = append(ws, l.expand(foldWord(t))...)
			}
			if p == "?" {
				ws = []string{"?"}
			}
			for _, w := range ws {
				l.vocab[w] = true
			}
			l.patterns = append(l.patterns, pattern{intent: r.intent, words: ws, exact: exact})
		}
	}
	return l
})

func (l *language) expand(w string) []string {
	if ws, ok := l.abbrev[w]; ok {
		return ws
	}
	return []string{w}
}

// normalize turns a message into the words the patterns are written in: folded,
// abbreviations expanded, Telex leftovers ("huyr", "dduwowcj") and one-letter typos
// of known words corrected.
func (l *language) normalize(s string) []string {
	var out []string
	for _, t := range tokens(s) {
		w := foldWord(t)
		if _, ok := l.abbrev[w]; !ok && !l.vocab[w] && !isDigits(w) {
			w = l.correct(w)
		}
		out = append(out, l.expand(w)...)
	}
	if len(out) == 0 && strings.Contains(s, "?") {
		out = []string{"?"}
	}
	return out
}

// correct repairs a word that is not in the vocabulary, when exactly one known word is
// near it.
func (l *language) correct(w string) string {
	// Telex typed without an input method: "uw" → "u", "ow" → "o", "aw" → "a", and a
	// tone key (s f r x j) left at the end.
	t := strings.NewReplacer("uw", "u", "ow", "o", "aw", "a").Replace(w)
	t = foldWord(t)
	if l.vocab[t] {
		return t
	}
	if n := len(t); n > 2 && strings.ContainsRune("sfrxj", rune(t[n-1])) {
		if l.vocab[t[:n-1]] {
			return t[:n-1]
		}
		if _, ok := l.abbrev[t[:n-1]]; ok {
			return t[:n-1]
		}
	}
	if len(w) < 4 {
		return w
	}
	found := ""
	for v := range l.vocab {
		// Long words: one letter wrong, missing, added, or two swapped; four-letter
		// words ("dnag"): two swapped only.
		near := len(w) >= 5 && len(v) >= 5 && editDistance1(w, v)
		near = near || (len(w) == len(v) && len(v) >= 4 && swapped(w, v))
		if near {
			if found != "" && found != v {
				return w // ambiguous: leave it
			}
			found = v
		}
	}
	if found != "" {
		return found
	}
	return w
}

// swapped reports whether a and b differ by two neighbouring letters swapped.
func swapped(a, b string) bool {
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
		}
	}
	return false
}

// editDistance1 reports whether a and b differ by one inserted, deleted or replaced
// letter, or two swapped neighbours.
func editDistance1(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		diff := -1
		for i := 0; i < la; i++ {
			if a[i] != b[i] {
				if diff >= 0 {
					// two differences: a swap of neighbours?
					return i == diff+1 && a[diff] == b[i] && a[i] == b[diff] && a[i+1:] == b[i+1:]
				}
				diff = i
			}
		}
		return true
	case la == lb+1:
		a, b = b, a
		fallthrough
	case lb == la+1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}

// stripParticles removes polite words before and after the message's core.
func stripParticles(ws []string) []string {
	for len(ws) > 1 && trailingParticles[ws[len(ws)-1]] {
		ws = ws[:len(ws)-1]
	}
	for len(ws) > 1 && leadingParticles[ws[0]] {
		ws = ws[1:]
	}
	return ws
}

func containsSeq(ws, p []string) bool {
	if len(p) == 0 || len(p) > len(ws) {
		return false
	}
	for i := 0; i+len(p) <= len(ws); i++ {
		ok := true
		for j := range p {
			if ws[i+j] != p[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func equalSeq(a, b []string) bool { return strings.Join(a, " ") == strings.Join(b, " ") }

// match is a command found in a message: how many of its words the phrase covers,
// and whether the phrase is the whole message.
type match struct {
	intent string
	words  int
	whole  bool
}

// command finds the best phrase of the table in the words.
func (l *language) command(ws []string) match {
	core := stripParticles(ws)
	best := match{}
	bestScore := 0
	for _, p := range l.patterns {
		whole := equalSeq(ws, p.words) || equalSeq(core, p.words)
		if !whole && (p.exact || !containsSeq(ws, p.words)) {
			continue
		}
		score := len(p.words)
		if whole {
			score += 100
		}
		if score > bestScore {
			best, bestScore = match{intent: p.intent, words: len(p.words), whole: whole}, score
		}
	}
	return best
}

// accented are words whose meaning the accents carry: folded, "dừng" (stop) would
// read "đúng" (right).
var accented = map[string]string{"dừng": IntentCancel, "dừng lại": IntentCancel, "dừng đi": IntentCancel}

// Understand reads what a message asks for.
func Understand(text string) Intent {
	in, _ := understand(text)
	return in
}

// understand also says how sure it is: "strong" means the message is nothing but the
// command (or a receipt, or a question of three words or more), so it may interrupt
// a step that takes free text such as a name.
func understand(text string) (Intent, bool) {
	l := lang()
	ws := l.normalize(text)
	if len(ws) == 0 {
		return Intent{Name: IntentUnknown}, false
	}
	if name, ok := accented[strings.Join(strings.Fields(strings.ToLower(norm.NFC.String(text))), " ")]; ok {
		return Intent{Name: name}, true
	}
	if r, ok := findReceipt(text, ws); ok {
		return Intent{Name: IntentStatus, Value: r}, true
	}
	m := l.command(ws)
	date, isDate := parseDate(text, time.Now())
	// A message with a number in it is the number, unless it asks for something.
	hasValue := isDate || len(longestNumber(text)) >= 6
	if m.intent != "" && !(hasValue && answers[m.intent]) {
		strong := m.whole || m.words >= 3 || strings.Contains(text, "?")
		return Intent{Name: m.intent}, strong
	}
	if isDate && onlyWords(ws, dateWords) {
		return Intent{Name: IntentDate, Value: date}, false
	}
	if in, ok := number(text, ws); ok {
		return in, false
	}
	if m.intent != "" {
		return Intent{Name: m.intent}, false
	}
	if b, ok := findBank(text); ok {
		return Intent{Name: IntentBank, Value: b.BIN}, false
	}
	return Intent{Name: IntentUnknown}, false
}

// answers are the intents that answer a question rather than ask for something: a
// number in the message outweighs them.
var answers = map[string]bool{IntentSelf: true, IntentProxy: true, IntentYes: true, IntentNo: true, IntentSkip: true,
	IntentEdit: true, IntentGreeting: true, IntentRegister: true, IntentOtherBank: true, IntentHelp: true}

// Receipts.

var (
	receiptToken = regexp.MustCompile(`(?i)\b([2-9a-hj-km-np-tv-z]{5})[- .]?([2-9a-hj-km-np-tv-z]{5})\b`)
	receiptWords = words("tra cứu mã biên nhận số kiểm tra xem của tôi là đăng ký hồ sơ")
)

// findReceipt finds a receipt code: a token of the receipt alphabet with both letters
// and digits (so that a name or an account number is never taken for one), or any
// code after "tra cứu" / "mã".
func findReceipt(text string, ws []string) (string, bool) {
	folded := fold.Accents(text)
	for _, m := range receiptToken.FindAllStringSubmatch(folded, -1) {
		r, ok := ansinh.NormalizeReceipt(m[1] + m[2])
		if ok && hasDigit(r) && hasLetter(r) {
			return r, true
		}
	}
	// "tra cứu ABCDE FGHJK": everything that is not a status word is the code.
	if !containsAny(ws, "tra", "ma", "bien", "kiem") {
		return "", false
	}
	var rest []string
	for _, t := range strings.Fields(folded) {
		if !receiptWords[foldWord(strings.Trim(t, ".,:;!?"))] {
			rest = append(rest, t)
		}
	}
	if r, ok := ansinh.NormalizeReceipt(strings.Join(rest, "")); ok && hasLetter(r) {
		return r, true
	}
	return "", false
}

func containsAny(ws []string, any ...string) bool {
	for _, w := range ws {
		for _, a := range any {
			if w == a {
				return true
			}
		}
	}
	return false
}

func hasDigit(s string) bool  { return strings.ContainsAny(s, "0123456789") }
func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Dates.

var (
	dateWords = words("ngày tháng năm sinh mùng mồng thg ng là của tôi em bác ạ nhé sn vào")
	isoDate   = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b`)
	numberRun = regexp.MustCompile(`\d+`)
)

func onlyWords(ws []string, allowed map[string]bool) bool {
	for _, w := range ws {
		if !isDigits(w) && !allowed[w] {
			return false
		}
	}
	return true
}

// parseDate reads a birth date as people type it: "5/3/1950", "05-03-1950",
// "5 3 1950", "ngày 5 tháng 3 năm 1950", "1950-03-05", "05031950".
func parseDate(text string, today time.Time) (string, bool) {
	var d, m, y int
	if p := isoDate.FindStringSubmatch(text); p != nil {
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	} else {
		n := numberRun.FindAllString(text, -1)
		switch {
		case len(n) == 3 && len(n[0]) <= 2 && len(n[1]) <= 2 && len(n[2]) == 4:
			d, m, y = atoi(n[0]), atoi(n[1]), atoi(n[2])
		case len(n) == 3 && len(n[0]) == 4 && len(n[1]) <= 2 && len(n[2]) <= 2:
			y, m, d = atoi(n[0]), atoi(n[1]), atoi(n[2])
		case len(n) == 1 && len(n[0]) == 8:
			d, m, y = atoi(n[0][:2]), atoi(n[0][2:4]), atoi(n[0][4:])
		default:
			return "", false
		}
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || y < 1900 || t.After(today) {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// Numbers.

// digitRun is a number as people type it, with spaces, dots or dashes inside.
var digitRun = regexp.MustCompile(`\+?\d[\d .\-]*\d|\d`)

// longestNumber returns the longest number in the text, separators removed.
func longestNumber(text string) string {
	best := ""
	for _, m := range digitRun.FindAllString(text, -1) {
		d := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m)
		if len(d) > len(best) {
			best = d
		}
	}
	return best
}

// number reads a CCCD, a phone number or an account number, by what the message
// says it is, else by its shape.
func number(text string, ws []string) (Intent, bool) {
	d := longestNumber(text)
	if d == "" {
		return Intent{}, false
	}
	cccd, cccdMsg := ansinh.NormalizeCCCD(d)
	phone := ansinh.NormalizePhone(strings.TrimSpace(text))
	if !ansinh.ValidPhone(phone) {
		phone = ansinh.NormalizePhone(d)
	}
	_, accountMsg := ansinh.NormalizeAccountNumber(d)
	switch {
	case containsSeq(ws, []string{"cccd"}) || containsSeq(ws, []string{"can", "cuoc"}):
		if cccdMsg == "" {
			return Intent{Name: IntentCCCD, Value: cccd}, true
		}
	case containsSeq(ws, []string{"tai", "khoan"}):
		if accountMsg == "" {
			return Intent{Name: IntentNumber, Value: d}, true
		}
	case containsSeq(ws, []string{"dien", "thoai"}):
		if ansinh.ValidPhone(phone) {
			return Intent{Name: IntentPhone, Value: phone}, true
		}
	}
	switch {
	case strings.Contains(text, "+84") && ansinh.ValidPhone(phone):
		return Intent{Name: IntentPhone, Value: phone}, true
	case (len(d) == 12 || (len(d) == 11 && d[0] != '0')) && cccdMsg == "":
		return Intent{Name: IntentCCCD, Value: cccd}, true
	case ansinh.ValidPhone(phone):
		return Intent{Name: IntentPhone, Value: phone}, true
	case accountMsg == "":
		return Intent{Name: IntentNumber, Value: d}, true
	}
	return Intent{}, false
}

// Banks.

// bankAliases are the names people call the common banks by.
var bankAliases = map[string]string{
	"agri": "970405", "agribank": "970405", "nông nghiệp": "970405", "nông nghiệp và phát triển nông thôn": "970405",
	"vietin": "970415", "viettin": "970415", "vietinbank": "970415", "công thương": "970415", "ctg": "970415",
	"bidv": "970418", "đầu tư": "970418", "đầu tư và phát triển": "970418", "đầu tư phát triển": "970418",
	"vcb": "970436", "vietcom": "970436", "vietcombank": "970436", "ngoại thương": "970436",
	"lpb": "970449", "lp": "970449", "lpbank": "970449", "lienviet": "970449", "liên việt": "970449", "lienvietpostbank": "970449",
	"liên việt post bank": "970449", "bưu điện liên việt": "970449", "bưu điện": "970449", "lộc phát": "970449",
	"mb": "970422", "mbbank": "970422", "quân đội": "970422",
	"sacom": "970403", "sacombank": "970403", "sài gòn thương tín": "970403",
	"techcom": "970407", "tcb": "970407", "vp": "970432", "á châu": "970416", "tp": "970423", "tpb": "970423",
	"hd": "970437", "kiên long": "970452", "kienlong": "970452", "đông á": "970406", "oceanbank": "970414",
	"bản việt": "970454", "nam á": "970428", "hàng hải": "970426", "quốc tế": "970441", "phương đông": "970448",
	"xuất nhập khẩu": "970431", "đông nam á": "970440", "bắc á": "970409", "an bình": "970425", "bảo việt": "970438",
}

// bankFiller are the words around a bank's name: "ngân hàng", "tài khoản ở".
var bankFiller = words("ngân hàng nh bank của tôi là ở tại tài khoản tk mở bên em bác mình con")

var bankIndex = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for k, v := range bankAliases {
		m[key(lang().normalize(k))] = v
	}
	return m
})

func key(ws []string) string { return strings.Join(ws, " ") }

// findBank reads a bank: its BIN, short or full name, or a common alias, with or
// without "ngân hàng" around it.
func findBank(text string) (ansinh.Bank, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return ansinh.Bank{}, false
	}
	if b, ok := ansinh.FindBank(text); ok {
		return b, true
	}
	ws := lang().normalize(text)
	var core []string
	for _, w := range ws {
		if !bankFiller[w] {
			core = append(core, w)
		}
	}
	if len(core) == 0 {
		return ansinh.Bank{}, false
	}
	for _, k := range []string{key(ws), key(core)} {
		if bin, ok := bankIndex()[k]; ok {
			return ansinh.BankByBIN(bin)
		}
	}
	c := key(core)
	for _, cand := range []string{c, c + " bank", "ngân hàng " + c, "ngân hàng tmcp " + c} {
		if b, ok := ansinh.FindBank(cand); ok {
			return b, true
		}
	}
	return ansinh.Bank{}, false
}

// suggestBanks lists up to five banks whose name contains what was typed.
func suggestBanks(text string) []ansinh.Bank {
	var core []string
	for _, w := range strings.Fields(fold.Words(text)) {
		if !bankFiller[foldWord(w)] {
			core = append(core, w)
		}
	}
	q := strings.Join(core, " ")
	if len(q) < 2 {
		return nil
	}
	var out []ansinh.Bank
	for _, b := range ansinh.BanksForForm() {
		if strings.Contains(fold.Words(b.ShortName), q) || strings.Contains(fold.Words(b.Name), q) ||
			strings.Contains(strings.ReplaceAll(fold.Words(b.ShortName), " ", ""), strings.ReplaceAll(q, " ", "")) {
			out = append(out, b)
			if len(out) == 5 {
				break
			}
		}
	}
	return out
}
