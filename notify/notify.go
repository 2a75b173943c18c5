// Package notify tells people what happened to their registration after the fact, on
// the channel that reaches them: a Zalo consultation message inside the 7-day window,
// else a Zalo template message by user id, then by phone, else an SMS. Notices are
// stored first and sent by a worker, only from 06:00 to 21:59 Vietnam time, and only to
// people who agreed to be told; every try is recorded with its channel, cost and result.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"ansinh"
	"ansinh/zalo"
)

// Store is what notices need from the data layer.
type Store interface {
	QueueNotice(ctx context.Context, n *ansinh.Notice, next time.Time) error
	LeaseNotices(ctx context.Context, now time.Time, lease time.Duration, limit int64) ([]ansinh.Notice, error)
	NoticeLater(ctx context.Context, id string, attempts int, next time.Time) error
	NoticeDone(ctx context.Context, id, status string, now time.Time) error
	AddNoticeAttempt(ctx context.Context, key string, a *ansinh.NoticeAttempt) error
	ReceiptUser(ctx context.Context, receipt string) (channel, user string, err error)
	RegistrationPhone(ctx context.Context, receipt string) (string, error)
	BeneficiaryPhone(ctx context.Context, id string) (string, error)
}

// Tokens gives the OA's access token (the chat worker keeps it fresh); force refreshes.
type Tokens interface {
	AccessToken(ctx context.Context, force bool) (string, error)
}

// Templates are the approved Zalo template ids per kind of notice (ZALO_TEMPLATE_*);
// "" means that kind goes by consultation message or SMS only.
type Templates struct{ Verified, Rejected, Returned, Reminder string }

// For is the template of a kind of notice.
func (t Templates) For(kind string) string {
	switch kind {
	case ansinh.NoticeVerified:
		return t.Verified
	case ansinh.NoticeRejected:
		return t.Rejected
	case ansinh.NoticeReturned:
		return t.Returned
	case ansinh.NoticeReminder:
		return t.Reminder
	}
	return ""
}

// Service queues and sends notices. Zalo and SMS may each be nil (not configured).
type Service struct {
	Store       Store
	Zalo        *zalo.Client
	Tokens      Tokens
	SMS         SMS
	Templates   Templates
	Now         func() time.Time
	Log         *slog.Logger
	MaxAttempts int // passing failures before a notice fails; 0: 8
	wakeOnce    sync.Once
	wake        chan struct{}
}

func (s *Service) wakeCh() chan struct{} {
	s.wakeOnce.Do(func() { s.wake = make(chan struct{}, 1) })
	return s.wake
}

// Zalo's windows for consultation messages.
const (
	freeWindow = 48 * time.Hour
	csWindow   = 7 * 24 * time.Hour
	lease      = time.Minute
	batch      = 20
)

// Template parameter names; the province's approved templates must use them.
const (
	ParamReceipt = "ma_ho_so"
	ParamReason  = "ly_do"
	ParamMonth   = "thang"
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Decided queues the notice of a decision (ansinh.Notifier). Without the person's
// consent nothing is queued, and the record says so. A repeat queues nothing new.
func (s *Service) Decided(ctx context.Context, r *ansinh.Registration, d *ansinh.Decision) error {
	kind := ansinh.NoticeVerified
	if d.Status == ansinh.StatusRejected {
		kind = ansinh.NoticeRejected
	}
	params := map[string]string{ParamReceipt: ansinh.FormatReceipt(r.Receipt)}
	if kind == ansinh.NoticeRejected {
		params[ParamReason] = strings.TrimSpace(d.ReasonText())
	}
	return s.Queue(ctx, r, kind, "decision:"+r.Receipt, params)
}

// monthParam is a payment month ("2026-12") as people read it: "12/2026".
func monthParam(month string) string { return strings.TrimPrefix(ansinh.FormatMonth(month), "tháng ") }

// Returned queues the notice that a payment of month into the person's account came
// back (registration.PaymentNotifier).
func (s *Service) Returned(ctx context.Context, r *ansinh.Registration, month string) error {
	params := map[string]string{ParamReceipt: ansinh.FormatReceipt(r.Receipt), ParamMonth: monthParam(month)}
	return s.Queue(ctx, r, ansinh.NoticeReturned, "returned:"+month+":"+r.BeneficiaryID, params)
}

// Queue stores a notice of kind about submission r under id, to go out at the next
// sending hour.
func (s *Service) Queue(ctx context.Context, r *ansinh.Registration, kind, id string, params map[string]string) error {
	now := s.now()
	if !r.NotifyConsent {
		return s.Store.AddNoticeAttempt(ctx, id+":consent", &ansinh.NoticeAttempt{NoticeID: id, BeneficiaryID: r.BeneficiaryID,
			Kind: kind, At: now, Channel: ansinh.NoticeByNone, Cost: ansinh.CostNone, Result: ansinh.NoticeNoConsent})
	}
	n, err := s.notice(ctx, r, kind, id, params, now)
	if err != nil {
		return err
	}
	_, next := ansinh.NoticeHours(now)
	if err := s.Store.QueueNotice(ctx, n, next); err != nil {
		return err
	}
	s.Wake()
	return nil
}

// notice is the notice of kind about submission r, addressed as the submission says:
// its Zalo user (a Zalo submission), its phone, else the phone the beneficiary list gave.
func (s *Service) notice(ctx context.Context, r *ansinh.Registration, kind, id string, params map[string]string, now time.Time) (*ansinh.Notice, error) {
	n := &ansinh.Notice{ID: id, BeneficiaryID: r.BeneficiaryID, Receipt: r.Receipt, Kind: kind, Params: params, Queued: now}
	if r.Channel == ansinh.ChannelZalo {
		channel, user, err := s.Store.ReceiptUser(ctx, r.Receipt)
		if err != nil && ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
			return nil, err
		}
		if channel == "zalo" {
			n.ZaloUser = user
		}
	}
	var phone string
	var err error
	if r.Receipt != "" {
		if phone, err = s.Store.RegistrationPhone(ctx, r.Receipt); err != nil {
			return nil, err
		}
	}
	if phone == "" { // the number the beneficiary list gave
		if phone, err = s.Store.BeneficiaryPhone(ctx, r.BeneficiaryID); err != nil {
			return nil, err
		}
	}
	n.Phone = ansinh.InternationalPhone(phone)
	return n, nil
}

// Wake tells the worker there is work.
func (s *Service) Wake() {
	select {
	case s.wakeCh() <- struct{}{}:
	default:
	}
}

// Run sends due notices until ctx ends: when woken, and every 30 seconds.
func (s *Service) Run(ctx context.Context) {
	wake := s.wakeCh()
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Warn("notify", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}

// SendDue tries every notice that is due and returns how many it leased.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	due, err := s.Store.LeaseNotices(ctx, s.now(), lease, batch)
	if err != nil {
		return 0, err
	}
	for i := range due {
		if err := s.send(ctx, &due[i]); err != nil {
			return i, err
		}
	}
	return len(due), nil
}

// try is one attempt at one notice: each step it records is keyed by the notice, the
// try number and the step, so that a replayed try records nothing twice.
type try struct {
	s   *Service
	n   *ansinh.Notice
	no  int
	now time.Time
	seq int
}

func (t *try) record(ctx context.Context, step, channel, cost, result, detail string) error {
	t.seq++
	return t.s.Store.AddNoticeAttempt(ctx, fmt.Sprintf("%s:%d:%s", t.n.ID, t.no, step), &ansinh.NoticeAttempt{
		NoticeID: t.n.ID, BeneficiaryID: t.n.BeneficiaryID, Kind: t.n.Kind, At: t.now, Channel: channel, Cost: cost, Result: result, Detail: detail, Seq: t.seq})
}

// outcome of one channel.
type outcome int

const (
	next    outcome = iota // refused: try the next channel
	sent                   // done
	passing                // a passing failure: try the whole notice again later
	wait                   // Zalo's daily quota: wait for tomorrow morning
)

func (s *Service) send(ctx context.Context, n *ansinh.Notice) error {
	// The outcome is recorded even when ctx ends meanwhile: a notice sent but not
	// marked done would go again.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	t := &try{s: s, n: n, no: n.Attempts + 1, now: s.now()}
	if ok, open := ansinh.NoticeHours(t.now); !ok {
		if err := t.record(rec, fmt.Sprintf("hours-%d", open.Unix()), ansinh.NoticeByNone, ansinh.CostNone, ansinh.NoticeWaiting,
			"ngoài giờ gửi 06:00–21:59, gửi lúc "+open.In(ansinh.Vietnam).Format("15:04 02/01/2006")); err != nil {
			return err
		}
		return s.Store.NoticeLater(rec, n.ID, n.Attempts, open)
	}
	var last error
	for _, channel := range []func(context.Context, *try) (outcome, error){s.consultation, s.templateByUser, s.templateByPhone, s.sms} {
		o, err := channel(ctx, t)
		switch o {
		case sent:
			return s.Store.NoticeDone(rec, n.ID, "sent", t.now)
		case wait:
			open := ansinh.NextMorning(t.now)
			if err := t.record(rec, fmt.Sprintf("quota-%d", open.Unix()), ansinh.NoticeByNone, ansinh.CostNone, ansinh.NoticeWaiting,
				"hết hạn mức Zalo trong ngày ("+detail(err)+"), gửi lại lúc "+open.In(ansinh.Vietnam).Format("15:04 02/01/2006")); err != nil {
				return err
			}
			return s.Store.NoticeLater(rec, n.ID, n.Attempts, open)
		case passing:
			last = err
		}
		if last != nil {
			break
		}
	}
	if last != nil && t.no < s.maxAttempts() {
		return s.Store.NoticeLater(rec, n.ID, t.no, t.now.Add(backoff(t.no)))
	}
	why := "không kênh nào đến được người nhận"
	if last != nil {
		why = fmt.Sprintf("bỏ sau %d lần thử: %s", t.no, detail(last))
	}
	if err := t.record(rec, "end", ansinh.NoticeByNone, ansinh.CostNone, ansinh.NoticeFailed, why); err != nil {
		return err
	}
	return s.Store.NoticeDone(rec, n.ID, "failed", t.now)
}

func (s *Service) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return 8
}

// backoff is 1 min, 4 min, 16 min …, at most 6 h.
func backoff(tries int) time.Duration {
	return min(time.Minute<<(2*min(max(tries-1, 0), 8)), 6*time.Hour)
}

// consultation sends the free-form message when Zalo's quota says the person wrote to
// the OA within 7 days (when Zalo cannot say, it tries, and -230 moves on).
func (s *Service) consultation(ctx context.Context, t *try) (outcome, error) {
	if t.n.ZaloUser == "" || s.Zalo == nil {
		return next, nil
	}
	cost := ansinh.CostFree
	var q zalo.Quota
	err := s.zalo(ctx, func(token string) (err error) { q, err = s.Zalo.Quota(ctx, token, t.n.ZaloUser); return err })
	if err == nil && !q.LastInteraction.IsZero() {
		age := t.now.Sub(q.LastInteraction)
		if age >= csWindow || q.Remain == 0 {
			return next, t.record(ctx, "cs", ansinh.NoticeByConsultation, ansinh.CostNone, ansinh.NoticeRefused,
				"ngoài thời hạn 7 ngày kể từ lần nhắn cuối (theo hạn mức Zalo)")
		}
		if age >= freeWindow {
			cost = ansinh.CostBilled
		}
	}
	err = s.zalo(ctx, func(token string) error {
		_, err := s.Zalo.Send(ctx, token, zalo.Message{UserID: t.n.ZaloUser, Text: s.text(t.n, false)})
		return err
	})
	return s.outcome(ctx, t, "cs", ansinh.NoticeByConsultation, cost, err)
}

func (s *Service) templateByUser(ctx context.Context, t *try) (outcome, error) {
	tpl := s.Templates.For(t.n.Kind)
	if t.n.ZaloUser == "" || s.Zalo == nil || tpl == "" {
		return next, nil
	}
	err := s.zalo(ctx, func(token string) error {
		_, err := s.Zalo.SendTemplate(ctx, token, zalo.TemplateMessage{UserID: t.n.ZaloUser, TemplateID: tpl, Data: t.n.Params})
		return err
	})
	return s.outcome(ctx, t, "template-user", ansinh.NoticeByTemplateUser, ansinh.CostTemplate, err)
}

func (s *Service) templateByPhone(ctx context.Context, t *try) (outcome, error) {
	tpl := s.Templates.For(t.n.Kind)
	if t.n.Phone == "" || s.Zalo == nil || tpl == "" {
		return next, nil
	}
	err := s.zalo(ctx, func(token string) error {
		_, err := s.Zalo.SendTemplate(ctx, token, zalo.TemplateMessage{Phone: t.n.Phone, TemplateID: tpl, Data: t.n.Params, TrackingID: tracking(t.n.ID)})
		return err
	})
	return s.outcome(ctx, t, "template-phone", ansinh.NoticeByTemplatePhone, ansinh.CostTemplate, err)
}

func (s *Service) sms(ctx context.Context, t *try) (outcome, error) {
	if t.n.Phone == "" || s.SMS == nil {
		return next, nil
	}
	_, err := s.SMS.SendSMS(ctx, t.n.Phone, s.text(t.n, true), tracking(t.n.ID))
	switch {
	case err == nil:
		return sent, t.record(ctx, "sms", ansinh.NoticeBySMS, ansinh.CostSMS, ansinh.NoticeSent, "")
	case smsPermanent(err):
		return next, t.record(ctx, "sms", ansinh.NoticeBySMS, ansinh.CostNone, ansinh.NoticeRefused, detail(err))
	}
	return passing, errors.Join(err, t.record(ctx, "sms", ansinh.NoticeBySMS, ansinh.CostNone, ansinh.NoticeRetry, detail(err)))
}

// outcome records a Zalo answer and says what comes next: -144 waits for the quota, a
// rate limit or an outage tries again later, any other refusal (-230 outside the
// window, -249 template by phone only, -131 not approved, -115 no balance …) moves on.
func (s *Service) outcome(ctx context.Context, t *try, step, channel, cost string, err error) (outcome, error) {
	if err == nil {
		return sent, t.record(ctx, step, channel, cost, ansinh.NoticeSent, "")
	}
	var apiErr *zalo.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == zalo.CodeDailyLimit:
		return wait, err
	case zalo.Retryable(err):
		return passing, errors.Join(err, t.record(ctx, step, channel, ansinh.CostNone, ansinh.NoticeRetry, detail(err)))
	}
	return next, t.record(ctx, step, channel, ansinh.CostNone, ansinh.NoticeRefused, detail(err))
}

// zalo calls Zalo with the access token, refreshing it once when Zalo says it is stale.
func (s *Service) zalo(ctx context.Context, call func(token string) error) error {
	if s.Tokens == nil {
		return errors.New("notify: no zalo token source")
	}
	token, err := s.Tokens.AccessToken(ctx, false)
	if err != nil {
		return err
	}
	err = call(token)
	var apiErr *zalo.APIError
	if errors.As(err, &apiErr) && apiErr.TokenInvalid() {
		if token, err = s.Tokens.AccessToken(ctx, true); err != nil {
			return err
		}
		return call(token)
	}
	return err
}

// text is the free-form text of a notice (Zalo consultation message or SMS).
func (s *Service) text(n *ansinh.Notice, sms bool) string {
	receipt, reason := n.Params[ParamReceipt], n.Params[ParamReason]
	switch {
	case n.Kind == ansinh.NoticeRejected && sms:
		return fmt.Sprintf(ansinh.MsgSMSRejected, receipt, reason)
	case n.Kind == ansinh.NoticeRejected:
		return fmt.Sprintf(ansinh.MsgZaloRejected, receipt, reason)
	case n.Kind == ansinh.NoticeReturned:
		return fmt.Sprintf(ansinh.MsgNoticeReturned, receipt)
	case n.Kind == ansinh.NoticeReminder && receipt == "":
		return fmt.Sprintf(ansinh.MsgNoticeReminderAccount, n.Params[ParamMonth])
	case n.Kind == ansinh.NoticeReminder:
		return fmt.Sprintf(ansinh.MsgNoticeReminder, receipt)
	case sms:
		return fmt.Sprintf(ansinh.MsgSMSVerified, receipt)
	}
	return fmt.Sprintf(ansinh.MsgZaloVerified, receipt)
}

// detail is what the record keeps of a failure: Zalo's code and message, or the
// gateway's code; never a number or a text.
func detail(err error) string {
	var apiErr *zalo.APIError
	var smsErr *SMSError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &apiErr):
		return fmt.Sprintf("Zalo %d: %s", apiErr.Code, apiErr.Message)
	case errors.As(err, &smsErr):
		return fmt.Sprintf("SMS %d %s", smsErr.Status, smsErr.Code)
	}
	return "lỗi kết nối"
}

func tracking(id string) string { return id[:min(len(id), 48)] }
