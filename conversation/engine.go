// Package conversation is the conversation engine of the chatbot, whatever the channel (Zalo,
// the web chat page): the registration steps of the web form as a conversation, the
// status look-up, help, and a hand-over to the commune officer. It keeps nothing in
// memory: the caller loads a State before each message and stores it after.
package conversation

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode"

	"ansinh"
	"ansinh/fold"
	"ansinh/i18n"
	"ansinh/pii"
)

// Services is what the engine needs from the rest of ansinh (implemented by the caller).
type Services interface {
	// IdentifyByCCCD finds a beneficiary: the same error for an unknown CCCD and a
	// wrong birth date; ansinh.ERATELIMIT when the person is locked.
	IdentifyByCCCD(ctx context.Context, cccd, birthDate string) (*ansinh.Beneficiary, error)
	// Submit stores a registration for an identified beneficiary and validates it like
	// the form (an *ansinh.Error with Fields on bad input). The request has no CCCD
	// nor birth date: the beneficiary was identified earlier in the conversation, and
	// b carries its ID, Name and Commune only.
	Submit(ctx context.Context, b *ansinh.Beneficiary, req *ansinh.RegistrationRequest) (receipt string, err error)
	// Status returns a registration by receipt (ENOTFOUND / EINVALID for bad ones).
	Status(ctx context.Context, receipt string) (*ansinh.Registration, error)
	// LatestStatus returns the person's newest submission, ENOTFOUND if none.
	LatestStatus(ctx context.Context, beneficiaryID string) (*ansinh.Registration, error)
	// Officer returns the contact of the commune's officer (its Phone "" when
	// unknown); commune may be "".
	Officer(ctx context.Context, commune string) Officer
}

// Officer is whom the chat tells a person to call.
type Officer struct{ Name, Phone, Hours string }

// Button is a choice offered with a reply; its payload comes back as the user's next
// text.
type Button struct{ Title, Payload string }

// Reply is one message to the user.
type Reply struct {
	Text    string
	Buttons []Button
	Phone   string // for a "call the officer" button
}

// State is one conversation, stored by the caller (JSON/BSON) between messages, keyed
// by user.
type State struct {
	Step    string
	Data    map[string]string
	Updated time.Time
}

// Input is one message of the user.
type Input struct {
	Text string
	// BIN and AccountNumber are filled when the user sent a VietQR image that the
	// caller decoded.
	BIN, AccountNumber string
	// Said is what the history shows of this message when it is not Text (a photo).
	Said string
	// Quiet: the page asked (its first greeting), not the person; nothing of theirs
	// goes into the history.
	Quiet bool
	// Lang is the language of the replies (i18n.VI when empty); the buttons' payloads
	// stay Vietnamese, which is what Understand reads.
	Lang string
}

// Engine runs conversations.
type Engine struct {
	svc Services
	now func() time.Time
	// KeepHistory keeps the conversation's turns in the state, for a channel that
	// does not show them itself (the web chat; Zalo keeps its own).
	KeepHistory bool
}

// New returns an engine; now defaults to time.Now.
func New(s Services, now func() time.Time) *Engine {
	if now == nil {
		now = time.Now
	}
	return &Engine{svc: s, now: now}
}

// IdleTimeout is how long a conversation may pause before it starts over.
const IdleTimeout = 30 * time.Minute

// maxFailures wrong answers at one step offer the commune officer.
const maxFailures = 3

// Steps (State.Step).
const (
	StepMenu          = "menu" // also "": a new conversation
	StepCCCD          = "cccd"
	StepBirth         = "birth"
	StepWho           = "who"
	StepProxyName     = "proxy_name"
	StepProxyCCCD     = "proxy_cccd"
	StepProxyPhone    = "proxy_phone"
	StepProxyRelation = "proxy_relation"
	StepBank          = "bank"
	StepBankName      = "bank_name"
	StepAccount       = "account"
	StepHolder        = "holder"
	StepHolderConfirm = "holder_confirm"
	StepPhone         = "phone"
	StepConsent       = "consent"
	StepNotify        = "notify" // to be told the outcome later: a separate yes/no, never assumed
	StepConfirm       = "confirm"
	StepEdit          = "edit"
	StepDone          = "done"
	StepLookup        = "lookup"
	StepLookupCCCD    = "lookup_cccd"
	StepLookupBirth   = "lookup_birth"
)

// Keys of State.Data.
const (
	keyIdempotency   = "idempotency_key" // random, made when the registration starts
	keyBeneficiary   = "beneficiary_id"
	keyName          = "name"
	keyCommune       = "commune"
	keyCCCD          = "cccd" // only between the CCCD and the birth date
	keySubmitter     = "submitter"
	keyProxyName     = "proxy_name"
	keyProxyCCCD     = "proxy_cccd"
	keyProxyPhone    = "proxy_phone"
	keyProxyRelation = "proxy_relationship"
	keyBank          = "bank_bin"
	keyAccount       = "account_number"
	keyHolder        = "account_name"
	keyPhone         = "phone"
	keyConsent       = "consent"
	keyNotify        = "notify_consent"
	keyEditing       = "editing"     // fixing one part: back to the summary after it
	keyRedoHolder    = "redo_holder" // who receives changed: ask the holder again
	keyFailures      = "failures"    // wrong answers at the current step
	keyIDFailures    = "identity_failures"
	keyReceipt       = "receipt" // after submitting
)

var registrationSteps = map[string]bool{
	StepCCCD: true, StepBirth: true, StepWho: true, StepProxyName: true, StepProxyCCCD: true, StepProxyPhone: true,
	StepProxyRelation: true, StepBank: true, StepBankName: true, StepAccount: true, StepHolder: true,
	StepHolderConfirm: true, StepPhone: true, StepConsent: true, StepNotify: true, StepConfirm: true, StepEdit: true,
}

var lookupSteps = map[string]bool{StepLookup: true, StepLookupCCCD: true, StepLookupBirth: true}

// freeTextSteps take any words (a name, a relationship, a bank): there, a command
// interrupts only when it is clearly one.
var freeTextSteps = map[string]bool{StepProxyName: true, StepProxyRelation: true, StepHolder: true, StepBankName: true}

// segmentStarts begin a part of the registration; when the person is fixing one part,
// reaching the next part goes back to the summary.
var segmentStarts = map[string]bool{StepWho: true, StepBank: true, StepHolder: true, StepPhone: true, StepConsent: true}

// commonBanks are offered as buttons: the banks most beneficiaries use.
var commonBanks = []string{"970405", "970415", "970418", "970436", "970449"}

// Handle answers one message: it advances st and returns 1–3 replies. It returns an
// error only for internal failures (the store down): then st is left as it was and the
// reply says to try again later.
func (e *Engine) Handle(ctx context.Context, st *State, in Input) ([]Reply, error) {
	if st.Data == nil {
		st.Data = map[string]string{}
	}
	saved := State{Step: st.Step, Data: maps.Clone(st.Data), Updated: st.Updated}
	now := e.now()
	turns := History(st)
	delete(st.Data, keyHistory)
	c := &conv{e: e, ctx: ctx, st: st, in: in, now: now}
	if !st.Updated.IsZero() && now.Sub(st.Updated) > IdleTimeout {
		c.idle = inFlow(st.Step)
		st.Step, st.Data = StepMenu, map[string]string{}
		turns = nil // what was typed before the pause is forgotten, on the screen too
	}
	replies, err := c.run()
	if err != nil {
		*st = saved
		return []Reply{{Text: ansinh.MsgInternal}}, err
	}
	st.Updated = now
	replies = translate(in.Lang, limit(replies))
	if e.KeepHistory {
		if c.forget {
			turns = nil
		}
		said := in.Text
		if in.Said != "" {
			said = in.Said
		}
		if in.Quiet {
			said = ""
		}
		record(st, turns, said, replies)
	}
	return replies, nil
}

func inFlow(step string) bool { return registrationSteps[step] || lookupSteps[step] }

// limit keeps at most three replies, joining the rest into the third.
func limit(rs []Reply) []Reply {
	if len(rs) <= 3 {
		return rs
	}
	last := rs[2]
	for _, r := range rs[3:] {
		last.Text += "\n" + r.Text
		last.Buttons = r.Buttons
		if r.Phone != "" {
			last.Phone = r.Phone
		}
	}
	return append(rs[:2], last)
}

// conv is one message being answered.
type conv struct {
	e      *Engine
	ctx    context.Context
	st     *State
	in     Input
	now    time.Time
	idle   bool // the conversation just started over after a pause
	forget bool // the person cancelled: the history goes with what they typed
	text   string
	it     Intent
	strong bool
}

func (c *conv) data() map[string]string { return c.st.Data }

func (c *conv) setStep(step string) {
	c.st.Step = step
	delete(c.st.Data, keyFailures)
}

// clearFlow forgets everything typed so far, keeping only the commune (to put the
// person in touch with its officer).
func (c *conv) clearFlow() {
	commune := c.st.Data[keyCommune]
	c.st.Data = map[string]string{}
	if commune != "" {
		c.st.Data[keyCommune] = commune
	}
}

func (c *conv) run() ([]Reply, error) {
	c.text = strings.TrimSpace(c.in.Text)
	c.it, c.strong = understand(c.text)
	if !c.idle {
		return c.dispatch()
	}
	out := []Reply{{Text: msgIdle}}
	switch c.it.Name {
	case IntentRegister, IntentRestart, IntentStatus, IntentStatusID, IntentHelp, IntentHelpWhere, IntentHelpFree,
		IntentHelpBring, IntentHelpProxy, IntentOfficer:
		if c.in.BIN == "" && c.in.AccountNumber == "" {
			rs, err := c.dispatch()
			return append(out, rs...), err
		}
	}
	return append(out, c.menu("")), nil
}

func (c *conv) dispatch() ([]Reply, error) {
	if c.in.BIN != "" || c.in.AccountNumber != "" {
		return c.vietQR()
	}
	step := c.st.Step
	if c.text == "" {
		if step == "" {
			c.st.Step = StepMenu
			return []Reply{c.menu(msgWelcome)}, nil
		}
		if !inFlow(step) {
			return []Reply{c.menu(msgEmpty)}, nil
		}
		return []Reply{c.question(msgEmpty)}, nil
	}
	switch c.it.Name {
	case IntentCancel, IntentRestart, IntentOfficer, IntentStatus, IntentStatusID:
		if c.strong || !freeTextSteps[step] {
			return c.command()
		}
	}
	if lookupSteps[step] {
		switch c.it.Name {
		case IntentRegister:
			return c.startRegistration(""), nil
		case IntentGreeting:
			c.clearFlow()
			c.setStep(StepMenu)
			return []Reply{c.menu("")}, nil
		}
	}
	switch step {
	case StepCCCD:
		return c.cccd(false)
	case StepLookupCCCD:
		return c.cccd(true)
	case StepBirth:
		return c.birth(false)
	case StepLookupBirth:
		return c.birth(true)
	case StepWho:
		return c.who()
	case StepProxyName:
		return c.proxyName()
	case StepProxyCCCD:
		return c.proxyCCCD()
	case StepProxyPhone:
		return c.proxyPhone()
	case StepProxyRelation:
		return c.proxyRelation()
	case StepBank, StepBankName:
		return c.bank()
	case StepAccount:
		return c.account()
	case StepHolder:
		return c.holder()
	case StepHolderConfirm:
		return c.holderConfirm()
	case StepPhone:
		return c.phone()
	case StepConsent:
		return c.consent()
	case StepNotify:
		return c.notify()
	case StepConfirm:
		return c.confirm()
	case StepEdit:
		return c.edit()
	case StepLookup:
		return c.lookup()
	}
	return c.menuStep()
}

// command runs what may be asked at any step: cancel, start again, the officer, a
// status look-up.
func (c *conv) command() ([]Reply, error) {
	switch c.it.Name {
	case IntentCancel:
		c.st.Step, c.st.Data, c.forget = StepMenu, map[string]string{}, true
		return []Reply{c.menu(msgCancelled)}, nil
	case IntentRestart:
		return c.startRegistration(msgRestarted), nil
	case IntentOfficer:
		return c.withQuestion(c.officer()), nil
	case IntentStatus:
		if c.it.Value != "" {
			return c.statusByReceipt(c.it.Value)
		}
		if in, ok := number(c.text, lang().normalize(c.text)); ok && in.Name == IntentCCCD {
			c.clearFlow()
			c.st.Data[keyCCCD] = in.Value
			c.setStep(StepLookupBirth)
			return []Reply{c.question(fmt.Sprintf(msgCCCDNoted, pii.Mask(in.Value)))}, nil
		}
		c.clearFlow()
		c.setStep(StepLookup)
		return []Reply{c.question("")}, nil
	default: // IntentStatusID
		c.clearFlow()
		c.setStep(StepLookupCCCD)
		return []Reply{c.question("")}, nil
	}
}

// withQuestion follows an answer given mid-way with the question of the step.
func (c *conv) withQuestion(r Reply) []Reply {
	if !inFlow(c.st.Step) {
		if len(r.Buttons) == 0 {
			r.Buttons = buttons(btnRegister, btnStatus, btnMenu)
		}
		return []Reply{r}
	}
	return []Reply{r, c.question(msgContinue)}
}

// interject answers help and greetings in the middle of a step, then asks again.
func (c *conv) interject() ([]Reply, bool) {
	if freeTextSteps[c.st.Step] && !c.strong {
		return nil, false
	}
	switch c.it.Name {
	case IntentHelpWhere, IntentHelpFree, IntentHelpBring, IntentHelpProxy, IntentHelp:
		return []Reply{c.help(c.it.Name), c.question(msgContinue)}, true
	case IntentGreeting, IntentRegister:
		return []Reply{c.question("")}, true
	case IntentThanks:
		return []Reply{c.question(msgContinue)}, true
	}
	return nil, false
}

// invalid says what is wrong, and asks again; after three wrong answers it offers the
// officer.
func (c *conv) invalid(msg string) ([]Reply, error) {
	if rs, ok := c.interject(); ok {
		return rs, nil
	}
	n := atoi(c.data()[keyFailures]) + 1
	r := c.question(msg)
	c.st.Data[keyFailures] = fmt.Sprint(n)
	if n >= maxFailures {
		r = c.offerOfficer(r)
	}
	return []Reply{r}, nil
}

func (c *conv) offerOfficer(r Reply) Reply {
	r.Text += "\n" + msgOfferOfficer
	r.Buttons = append(r.Buttons, Button{btnOfficer, btnOfficer})
	return r
}

func buttons(titles ...string) []Button {
	bs := make([]Button, len(titles))
	for i, t := range titles {
		bs[i] = Button{Title: t, Payload: t}
	}
	return bs
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

// The menu.

func (c *conv) menu(prefix string) Reply {
	return Reply{Text: join(prefix, msgMenu), Buttons: buttons(btnRegister, btnStatus, btnHowToOpen, btnOfficer)}
}

func (c *conv) menuStep() ([]Reply, error) {
	first := c.st.Step == ""
	if c.st.Step != StepDone {
		c.st.Step = StepMenu
	}
	switch c.it.Name {
	case IntentRegister, IntentSelf, IntentProxy:
		return c.startRegistration(""), nil
	case IntentHelp, IntentHelpWhere, IntentHelpFree, IntentHelpBring, IntentHelpProxy:
		return []Reply{c.help(c.it.Name)}, nil
	case IntentYes:
		if c.st.Step == StepDone && c.data()[keyReceipt] != "" {
			r := ansinh.FormatReceipt(c.data()[keyReceipt])
			return []Reply{{Text: fmt.Sprintf(msgAlreadySent, r),
				Buttons: []Button{{btnStatusPrefix + r, "tra cứu " + r}, {btnMenu, btnMenu}}}}, nil
		}
	case IntentGreeting:
		return []Reply{c.menu(msgWelcome)}, nil
	case IntentThanks:
		return []Reply{c.menu(msgThanks)}, nil
	}
	if first {
		return []Reply{c.menu(msgWelcome)}, nil
	}
	return []Reply{c.menu(msgNotUnderstood)}, nil
}

func (c *conv) help(topic string) Reply {
	texts := map[string]string{IntentHelpWhere: msgHelpWhere, IntentHelpFree: msgHelpFree, IntentHelpBring: msgHelpBring,
		IntentHelpProxy: msgHelpProxy, IntentHelp: msgHelpTopics}
	titles := map[string]string{IntentHelpWhere: btnHelpWhere, IntentHelpFree: btnHelpFree, IntentHelpBring: btnHelpBring,
		IntentHelpProxy: btnHelpProxy}
	var bs []Button
	for _, t := range []string{IntentHelpWhere, IntentHelpFree, IntentHelpBring, IntentHelpProxy} {
		if t != topic {
			bs = append(bs, Button{titles[t], titles[t]})
		}
	}
	if !inFlow(c.st.Step) {
		bs = append(bs, Button{btnRegister, btnRegister})
	}
	return Reply{Text: texts[topic], Buttons: bs}
}

// officer is the "gặp cán bộ" answer: the commune's officer by name, phone and office
// hours, or the city-level line, or where to go.
func (c *conv) officer() Reply {
	o := c.e.svc.Officer(c.ctx, c.data()[keyCommune])
	if o.Phone == "" {
		return Reply{Text: msgOfficerGeneral}
	}
	hours := msgOfficerOffice
	if o.Hours != "" {
		hours = fmt.Sprintf(msgOfficerHours, o.Hours)
	}
	name := o.Name
	if name == "" {
		name = "xã"
	}
	return Reply{Text: join(fmt.Sprintf(msgOfficerPhone, name, o.Phone), hours), Phone: o.Phone}
}

// The question of each step.

func (c *conv) question(prefix string) Reply {
	d := c.data()
	var r Reply
	switch c.st.Step {
	case StepCCCD:
		r.Text = msgAskCCCD
	case StepBirth, StepLookupBirth:
		r.Text = msgAskBirth
	case StepWho:
		r = Reply{Text: msgAskWho, Buttons: buttons(btnSelf, btnProxy)}
	case StepProxyName:
		r.Text = msgAskProxyName
	case StepProxyCCCD:
		r.Text = msgAskProxyCCCD
	case StepProxyPhone:
		r.Text = msgAskProxyPhone
	case StepProxyRelation:
		r = Reply{Text: msgAskRelation, Buttons: buttons(relations...)}
	case StepBank:
		r = Reply{Text: msgAskBank}
		for _, bin := range commonBanks {
			if b, ok := ansinh.BankByBIN(bin); ok {
				r.Buttons = append(r.Buttons, Button{b.ShortName, b.ShortName})
			}
		}
		r.Buttons = append(r.Buttons, Button{btnOtherBank, btnOtherBank})
	case StepBankName:
		r.Text = msgAskBankName
	case StepAccount:
		b, _ := ansinh.BankByBIN(d[keyBank])
		r.Text = fmt.Sprintf(msgAskAccount, b.ShortName)
	case StepHolder:
		r.Text = msgAskHolder
		if s := c.holderSuggestion(); s != "" {
			r.Text = join(r.Text, fmt.Sprintf(msgAskHolderSuggest, s))
			r.Buttons = []Button{{s, s}}
		}
	case StepHolderConfirm:
		r = Reply{Text: fmt.Sprintf(msgHolderConfirm, d[keyHolder]), Buttons: buttons(btnYesRight, btnFixName)}
	case StepPhone:
		r = Reply{Text: msgAskPhone, Buttons: buttons(btnSkip)}
	case StepConsent:
		r = Reply{Text: msgConsent, Buttons: buttons(btnAgree, btnDisagree)}
	case StepNotify:
		r = Reply{Text: msgAskNotify, Buttons: buttons(btnNotifyYes, btnNotifyNo)}
	case StepConfirm:
		r = Reply{Text: c.summary(), Buttons: buttons(btnSend, btnEdit)}
	case StepEdit:
		r = Reply{Text: msgAskEdit, Buttons: buttons(btnEditWho, btnEditBank, btnEditHolder, btnEditPhone, btnEditNone)}
	case StepLookup:
		r = Reply{Text: msgAskReceipt, Buttons: buttons(btnStatusByID, btnMenu)}
	case StepLookupCCCD:
		r.Text = msgLookupCCCD
	default:
		return c.menu(prefix)
	}
	r.Text = join(prefix, r.Text)
	return r
}

// holderSuggestion is the name the account most likely carries: the beneficiary's,
// or the proxy's, as banks print it.
func (c *conv) holderSuggestion() string {
	name := c.data()[keyName]
	if c.data()[keySubmitter] == ansinh.SubmitterProxy {
		name = c.data()[keyProxyName]
	}
	if !ansinh.ValidHolder(name) {
		return ""
	}
	return ansinh.HolderName(name)
}

func (c *conv) summary() string {
	d := c.data()
	lines := []string{msgSummary, fmt.Sprintf(msgSummaryPerson, d[keyName])}
	if d[keySubmitter] == ansinh.SubmitterProxy {
		lines = append(lines, fmt.Sprintf(msgSummaryProxy, d[keyProxyName], d[keyProxyRelation], d[keyProxyCCCD], d[keyProxyPhone]))
	} else {
		lines = append(lines, msgSummarySelf)
	}
	b, _ := ansinh.BankByBIN(d[keyBank])
	lines = append(lines, fmt.Sprintf(msgSummaryBank, b.ShortName+" – "+b.Name),
		fmt.Sprintf(msgSummaryAccount, d[keyAccount]), fmt.Sprintf(msgSummaryHolder, d[keyHolder]))
	if d[keyPhone] != "" {
		lines = append(lines, fmt.Sprintf(msgSummaryPhone, d[keyPhone]))
	} else {
		lines = append(lines, msgSummaryNoPhone)
	}
	if d[keyNotify] == "1" {
		lines = append(lines, msgSummaryNotify)
	} else {
		lines = append(lines, msgSummaryNoNotify)
	}
	return strings.Join(append(lines, msgSummaryAsk), "\n")
}

// advance moves to the next step and asks its question; when the person is fixing
// one part, the next part is the summary instead.
func (c *conv) advance(next, prefix string) []Reply {
	d := c.data()
	if d[keyEditing] != "" && segmentStarts[next] {
		if next == StepBank && d[keyRedoHolder] != "" {
			next = StepHolder
		} else {
			next = StepConfirm
			delete(d, keyEditing)
		}
		delete(d, keyRedoHolder)
	}
	c.setStep(next)
	return []Reply{c.question(prefix)}
}

// Registration.

func (c *conv) startRegistration(prefix string) []Reply {
	c.clearFlow()
	c.st.Data[keyIdempotency] = ansinh.RandomToken(16)
	c.setStep(StepCCCD)
	return []Reply{c.question(prefix)}
}

// cccd reads the beneficiary's CCCD, for registering or for a look-up.
func (c *conv) cccd(lookup bool) ([]Reply, error) {
	cccd, msg := c.readNumber(ansinh.MsgCCCDDigits, ansinh.NormalizeCCCD)
	if msg != "" {
		return c.invalid(msg)
	}
	c.st.Data[keyCCCD] = cccd
	next := StepBirth
	if lookup {
		next = StepLookupBirth
	}
	c.setStep(next)
	return []Reply{c.question(fmt.Sprintf(msgCCCDNoted, pii.Mask(cccd)))}, nil
}

// birth reads the birth date and identifies the beneficiary. A wrong date keeps the
// CCCD and asks for the date alone; a CCCD typed again here, or the button, replaces it.
func (c *conv) birth(lookup bool) ([]Reply, error) {
	date, ok := parseDate(c.text, c.now)
	if !ok {
		if n := longestNumber(c.text); len(n) == 12 || len(n) == 9 {
			return c.cccd(lookup)
		}
		if retypeCCCD(c.text) {
			next := StepCCCD
			if lookup {
				next = StepLookupCCCD
			}
			delete(c.data(), keyCCCD)
			c.setStep(next)
			return []Reply{c.question("")}, nil
		}
		return c.invalid(ansinh.MsgBirthDateInvalid)
	}
	d := c.data()
	b, err := c.e.svc.IdentifyByCCCD(c.ctx, d[keyCCCD], date)
	switch ansinh.ErrorCode(err) {
	case "":
	case ansinh.ERATELIMIT:
		c.clearFlow()
		c.setStep(StepMenu)
		return []Reply{{Text: ansinh.MsgIdentityLocked, Buttons: buttons(btnOfficer, btnMenu)}}, nil
	case ansinh.EINVALID, ansinh.ENOTFOUND:
		// The CCCD stays: most often the date is what was mistyped. The lockout
		// counts each try in IdentifyByCCCD, so keeping it opens no way to probe.
		n := atoi(d[keyIDFailures]) + 1
		d[keyIDFailures] = fmt.Sprint(n)
		c.setStep(c.st.Step)
		r := Reply{Text: join(ansinh.MsgIdentityNotFound, fmt.Sprintf(msgAskBirthAgain, pii.Mask(d[keyCCCD]))),
			Buttons: buttons(btnRetypeCCCD)}
		if n >= maxFailures {
			r = c.offerOfficer(r)
		}
		return []Reply{r}, nil
	default:
		return nil, err
	}
	delete(d, keyCCCD)
	delete(d, keyIDFailures)
	d[keyCommune] = b.Commune
	if lookup {
		return c.latestStatus(b)
	}
	d[keyBeneficiary], d[keyName] = b.ID, b.Name
	found := fmt.Sprintf(msgFound, b.Name)
	if b.Account != nil && b.Account.Last4 != "" {
		found = join(found, fmt.Sprintf(msgHasAccount, b.Account.Masked()))
	}
	c.setStep(StepWho)
	return []Reply{c.question(found)}, nil
}

func (c *conv) who() ([]Reply, error) {
	d := c.data()
	switch c.it.Name {
	case IntentSelf:
		if d[keySubmitter] != ansinh.SubmitterSelf && d[keyEditing] != "" {
			d[keyRedoHolder] = "1"
		}
		d[keySubmitter] = ansinh.SubmitterSelf
		for _, k := range []string{keyProxyName, keyProxyCCCD, keyProxyPhone, keyProxyRelation} {
			delete(d, k)
		}
		return c.advance(StepBank, ""), nil
	case IntentProxy:
		if d[keySubmitter] != ansinh.SubmitterProxy && d[keyEditing] != "" {
			d[keyRedoHolder] = "1"
		}
		d[keySubmitter] = ansinh.SubmitterProxy
		c.setStep(StepProxyName)
		return []Reply{c.question("")}, nil
	}
	return c.invalid(ansinh.MsgSubmitterInvalid)
}

// nameOK accepts a name or a relationship: letters (any accents), spaces, dots,
// dashes and apostrophes, at most max characters.
func nameOK(s string, max int) bool {
	if s == "" || len([]rune(s)) > max || !hasLetter(s) {
		return false
	}
	for _, r := range s {
		if !(r == ' ' || r == '.' || r == '-' || r == '\'' || isLetterOrMark(r)) {
			return false
		}
	}
	return true
}

// tidyName writes a name typed all in lower case with capitals: "trần thị bé" →
// "Trần Thị Bé". Other names stay as typed.
func tidyName(s string) string {
	s = ansinh.NormalizeName(s)
	if s != strings.ToLower(s) {
		return s
	}
	ws := strings.Fields(s)
	for i, w := range ws {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		ws[i] = string(r)
	}
	return strings.Join(ws, " ")
}

func isLetterOrMark(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) }

func (c *conv) proxyName() ([]Reply, error) {
	if rs, ok := c.interject(); ok {
		return rs, nil
	}
	name := tidyName(c.text)
	if !nameOK(name, 100) {
		return c.invalid(msgProxyNameInvalid)
	}
	c.st.Data[keyProxyName] = name
	c.setStep(StepProxyCCCD)
	return []Reply{c.question("")}, nil
}

// readNumber takes the longest number in the message through a rule (NormalizeCCCD,
// NormalizeAccountNumber); a message without one gets noDigits.
func (c *conv) readNumber(noDigits string, rule func(string) (string, string)) (string, string) {
	d := longestNumber(c.text)
	if d == "" {
		return "", noDigits
	}
	return rule(d)
}

func (c *conv) proxyCCCD() ([]Reply, error) {
	cccd, msg := c.readNumber(ansinh.MsgCCCDDigits, ansinh.NormalizeCCCD)
	if msg != "" {
		return c.invalid(msg)
	}
	c.st.Data[keyProxyCCCD] = cccd
	c.setStep(StepProxyPhone)
	return []Reply{c.question(fmt.Sprintf(msgProxyCCCDNoted, pii.Mask(cccd)))}, nil
}

// readPhone reads a phone number as people type it.
func readPhone(text string) (string, bool) {
	if p := ansinh.NormalizePhone(text); ansinh.ValidPhone(p) {
		return p, true
	}
	if p := ansinh.NormalizePhone(longestNumber(text)); ansinh.ValidPhone(p) {
		return p, true
	}
	return "", false
}

func (c *conv) proxyPhone() ([]Reply, error) {
	p, ok := readPhone(c.text)
	if !ok {
		return c.invalid(ansinh.MsgPhoneInvalid)
	}
	c.st.Data[keyProxyPhone] = p
	c.setStep(StepProxyRelation)
	return []Reply{c.question("")}, nil
}

func (c *conv) proxyRelation() ([]Reply, error) {
	if rs, ok := c.interject(); ok {
		return rs, nil
	}
	rel := ansinh.NormalizeName(c.text)
	if !nameOK(rel, 50) {
		return c.invalid(ansinh.MsgProxyRelation)
	}
	c.st.Data[keyProxyRelation] = rel
	return c.advance(StepBank, ""), nil
}

func (c *conv) bank() ([]Reply, error) {
	if c.it.Name == IntentOtherBank {
		c.setStep(StepBankName)
		return []Reply{c.question("")}, nil
	}
	if c.st.Step == StepBankName {
		if rs, ok := c.interject(); ok {
			return rs, nil
		}
	}
	b, ok := findBank(c.text)
	if !ok {
		if c.st.Step == StepBankName {
			if list := suggestBanks(c.text); len(list) > 0 {
				rs, err := c.invalid(ansinh.MsgBankUnknown)
				r := &rs[0]
				r.Text = join(ansinh.MsgBankUnknown, msgBankSuggest)
				var bs []Button
				for _, b := range list {
					bs = append(bs, Button{b.ShortName, b.ShortName})
				}
				r.Buttons = append(bs, r.Buttons...)
				return rs, err
			}
		}
		return c.invalid(ansinh.MsgBankUnknown)
	}
	c.st.Data[keyBank] = b.BIN
	c.setStep(StepAccount)
	return []Reply{c.question("")}, nil
}

func (c *conv) account() ([]Reply, error) {
	acc, msg := c.readNumber(ansinh.MsgAccountDigits, ansinh.NormalizeAccountNumber)
	if msg != "" {
		return c.invalid(msg)
	}
	c.st.Data[keyAccount] = acc
	return c.advance(StepHolder, fmt.Sprintf(msgAccountNoted, pii.Mask(acc))), nil
}

func (c *conv) holder() ([]Reply, error) {
	if rs, ok := c.interject(); ok {
		return rs, nil
	}
	if !ansinh.ValidHolder(c.text) {
		return c.invalid(ansinh.MsgHolderInvalid)
	}
	c.st.Data[keyHolder] = ansinh.HolderName(c.text)
	c.setStep(StepHolderConfirm)
	return []Reply{c.question("")}, nil
}

func (c *conv) holderConfirm() ([]Reply, error) {
	switch c.it.Name {
	case IntentYes:
		return c.advance(StepPhone, ""), nil
	case IntentNo, IntentEdit:
		c.setStep(StepHolder)
		return []Reply{c.question("")}, nil
	case IntentUnknown, IntentSelf:
		// They typed the name again, differently.
		if ansinh.ValidHolder(c.text) {
			c.st.Data[keyHolder] = ansinh.HolderName(c.text)
			return []Reply{c.question("")}, nil
		}
	}
	return c.invalid(msgChoose)
}

func (c *conv) phone() ([]Reply, error) {
	if c.it.Name == IntentSkip || c.it.Name == IntentNo {
		delete(c.st.Data, keyPhone)
		return c.advance(StepConsent, ""), nil
	}
	p, ok := readPhone(c.text)
	if !ok {
		return c.invalid(ansinh.MsgPhoneInvalid)
	}
	c.st.Data[keyPhone] = p
	return c.advance(StepConsent, ""), nil
}

func (c *conv) consent() ([]Reply, error) {
	switch c.it.Name {
	case IntentYes:
		c.st.Data[keyConsent] = ansinh.ConsentVersion
		return c.advance(StepNotify, ""), nil
	case IntentNo:
		return []Reply{{Text: join(ansinh.MsgConsentRequired, msgConsentRefused),
			Buttons: buttons(btnAgree, btnCancel, btnOfficer)}}, nil
	}
	return c.invalid(msgChoose)
}

func (c *conv) notify() ([]Reply, error) {
	switch c.it.Name {
	case IntentYes:
		c.st.Data[keyNotify] = "1"
		return c.advance(StepConfirm, ""), nil
	case IntentNo, IntentSkip:
		delete(c.st.Data, keyNotify)
		return c.advance(StepConfirm, ""), nil
	}
	return c.invalid(msgChoose)
}

func (c *conv) confirm() ([]Reply, error) {
	switch c.it.Name {
	case IntentYes:
		return c.submit()
	case IntentEdit, IntentNo:
		c.setStep(StepEdit)
		return []Reply{c.question("")}, nil
	}
	return c.invalid(msgChoose)
}

func (c *conv) edit() ([]Reply, error) {
	s := " " + key(lang().normalize(c.text)) + " "
	has := func(ps ...string) bool {
		for _, p := range ps {
			if strings.Contains(s, " "+p+" ") {
				return true
			}
		}
		return false
	}
	var next string
	switch {
	case c.it.Name == IntentNo || has("khong sua", "xem lai", "giu nguyen"):
		c.setStep(StepConfirm)
		return []Reply{c.question("")}, nil
	case has("chu tai khoan", "ten"):
		next = StepHolder
	case has("ngan hang", "so tai khoan", "tai khoan"):
		next = StepBank
	case has("dien thoai"):
		next = StepPhone
	case has("nguoi nhan", "nhan tien", "nguoi", "nhan thay") || c.it.Name == IntentSelf || c.it.Name == IntentProxy:
		next = StepWho
	default:
		return c.invalid(msgChoose)
	}
	c.st.Data[keyEditing] = "1"
	c.setStep(next)
	return []Reply{c.question("")}, nil
}

// fieldSteps names, for each field of a refused submission, the step that asks it.
var fieldSteps = []struct{ field, step string }{
	{"submitter", StepWho},
	{"proxy", StepProxyName},
	{"proxy.name", StepProxyName},
	{"proxy.cccd", StepProxyCCCD},
	{"proxy.phone", StepProxyPhone},
	{"proxy.relationship", StepProxyRelation},
	{"bank_bin", StepBank},
	{"account_number", StepAccount},
	{"account_name", StepHolder},
	{"phone", StepPhone},
	{"consent", StepConsent},
}

func (c *conv) submit() ([]Reply, error) {
	d := c.data()
	req := &ansinh.RegistrationRequest{Submitter: d[keySubmitter], BankBIN: d[keyBank], AccountNumber: d[keyAccount],
		AccountName: d[keyHolder], Phone: d[keyPhone], Consent: d[keyConsent] != "", NotifyConsent: d[keyNotify] == "1",
		IdempotencyKey: d[keyIdempotency]}
	if req.Submitter == ansinh.SubmitterProxy {
		req.Proxy = &ansinh.ProxyRequest{Name: d[keyProxyName], CCCD: d[keyProxyCCCD], Phone: d[keyProxyPhone],
			Relationship: d[keyProxyRelation]}
	}
	b := &ansinh.Beneficiary{ID: d[keyBeneficiary], Name: d[keyName], Commune: d[keyCommune]}
	receipt, err := c.e.svc.Submit(c.ctx, b, req)
	if err != nil {
		var e *ansinh.Error
		if !errors.As(err, &e) || e.Code == ansinh.EINTERNAL {
			return nil, err
		}
		for _, fs := range fieldSteps {
			if msg, ok := e.Fields[fs.field]; ok {
				d[keyEditing] = "1"
				c.setStep(fs.step)
				return []Reply{c.question(join(msgSubmitProblem+" "+msg, msgContinue))}, nil
			}
		}
		return []Reply{c.question(msgSubmitProblem + " " + e.Message)}, nil
	}
	commune := d[keyCommune]
	c.st.Data = map[string]string{keyReceipt: receipt}
	if commune != "" {
		c.st.Data[keyCommune] = commune
	}
	c.setStep(StepDone)
	f := ansinh.FormatReceipt(receipt)
	return []Reply{
		{Text: fmt.Sprintf(msgReceipt, f)},
		{Text: fmt.Sprintf(msgFollowUp, f), Buttons: []Button{{btnStatusPrefix + f, "tra cứu " + f}, {btnMenu, btnMenu}}},
	}, nil
}

// A VietQR image: bank and account in one go.
func (c *conv) vietQR() ([]Reply, error) {
	step := c.st.Step
	switch {
	case c.data()[keyBeneficiary] != "" && (step == StepBank || step == StepBankName || step == StepAccount ||
		step == StepConfirm || step == StepEdit):
	case inFlow(step):
		return []Reply{c.question(msgQRLater)}, nil
	default:
		return []Reply{c.menu(msgQRLater)}, nil
	}
	b, ok := ansinh.BankByBIN(strings.TrimSpace(c.in.BIN))
	if !ok {
		return c.invalid(ansinh.MsgBankUnknown)
	}
	acc, msg := ansinh.NormalizeAccountNumber(c.in.AccountNumber)
	if msg != "" {
		return c.invalid(msg)
	}
	d := c.data()
	d[keyBank], d[keyAccount] = b.BIN, acc
	if step == StepConfirm || step == StepEdit {
		d[keyEditing] = "1"
	}
	return c.advance(StepHolder, fmt.Sprintf(msgQRRead, b.ShortName, pii.Mask(acc))), nil
}

// Status look-up.

func (c *conv) lookup() ([]Reply, error) {
	if r, ok := ansinh.NormalizeReceipt(c.text); ok {
		return c.statusByReceipt(r)
	}
	return c.invalid(ansinh.MsgReceiptInvalid)
}

func (c *conv) statusByReceipt(code string) ([]Reply, error) {
	reg, err := c.e.svc.Status(c.ctx, code)
	flow := registrationSteps[c.st.Step]
	switch ansinh.ErrorCode(err) {
	case "":
	case ansinh.ENOTFOUND, ansinh.EINVALID:
		if flow {
			return []Reply{c.question(join(msgReceiptNotFound, msgContinue))}, nil
		}
		c.clearFlow()
		c.setStep(StepLookup)
		return []Reply{c.question(msgReceiptNotFound)}, nil
	default:
		return nil, err
	}
	if c.data()[keyCommune] == "" && reg.Commune != "" {
		c.st.Data[keyCommune] = reg.Commune
	}
	r := statusReply(reg)
	if flow {
		r.Buttons = nil
		return []Reply{r, c.question(msgContinue)}, nil
	}
	if c.st.Step != StepDone {
		c.clearFlow()
		c.setStep(StepMenu)
	}
	return []Reply{r}, nil
}

func statusReply(reg *ansinh.Registration) Reply {
	label := ansinh.StatusLabel(reg.Status)
	if label == "" {
		label = reg.Status
	}
	r := Reply{Text: fmt.Sprintf(msgStatus, ansinh.FormatReceipt(reg.Receipt), label), Buttons: buttons(btnOfficer, btnMenu)}
	switch reg.Status {
	case ansinh.StatusPending:
		r.Text = join(r.Text, msgStatusPending)
	case ansinh.StatusRejected:
		if reason := strings.TrimSpace(reg.Reason); reason != "" {
			r.Text = join(r.Text, fmt.Sprintf(msgStatusReason, reason))
		}
		r.Text = join(r.Text, msgStatusAgain)
		r.Buttons = buttons(btnRegisterNew, btnOfficer, btnMenu)
	}
	return r
}

func (c *conv) latestStatus(b *ansinh.Beneficiary) ([]Reply, error) {
	reg, err := c.e.svc.LatestStatus(c.ctx, b.ID)
	c.clearFlow()
	c.setStep(StepMenu)
	switch ansinh.ErrorCode(err) {
	case "":
		return []Reply{statusReply(reg)}, nil
	case ansinh.ENOTFOUND:
		return []Reply{{Text: msgNoRegistration, Buttons: buttons(btnRegister, btnOfficer, btnMenu)}}, nil
	}
	return nil, err
}

// retypeCCCD reads "gõ lại số CCCD" (the button) and the like at the birth-date step.
func retypeCCCD(text string) bool {
	k := " " + fold.Words(text) + " "
	for _, p := range []string{" cccd ", " can cuoc ", " cmnd ", " so the "} {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

// DigitSteps are the steps whose answer is a number: the chat page offers a numeric
// keyboard there.
var DigitSteps = map[string]bool{StepCCCD: true, StepBirth: true, StepProxyCCCD: true, StepProxyPhone: true,
	StepAccount: true, StepPhone: true, StepLookupCCCD: true, StepLookupBirth: true}

// translate puts the replies in lang: texts and button titles, never the payloads.
func translate(lang string, rs []Reply) []Reply {
	if lang == "" || lang == i18n.VI {
		return rs
	}
	for i := range rs {
		rs[i].Text = i18n.Chat(lang, rs[i].Text)
		bs := make([]Button, len(rs[i].Buttons))
		for j, b := range rs[i].Buttons {
			bs[j] = Button{Title: i18n.Chat(lang, b.Title), Payload: b.Payload}
		}
		rs[i].Buttons = bs
	}
	return rs
}
