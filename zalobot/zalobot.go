// Package zalobot runs the conversation engine on its channels: it processes stored
// Zalo events in order, keeps each conversation's state in the store, sends replies
// through a stored outbox with retries, keeps the OA's token fresh (one refresher at a
// time, across instances), and tells Zalo users about decisions on their submissions.
package zalobot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"ansinh"
	"ansinh/conversation"
	"ansinh/registration"
	"ansinh/vietqr"
	"ansinh/zalo"
)

// Store is what the chat channels need from the data layer.
type Store interface {
	SaveEvent(ctx context.Context, key, user string, body []byte, now time.Time) (bool, error)
	PendingEvents(ctx context.Context, now time.Time, lease time.Duration, limit int64) ([]ansinh.PendingEvent, error)
	EventDone(ctx context.Context, key string) error
	RetryEvent(ctx context.Context, key string, at time.Time) error
	Conversation(ctx context.Context, id string) (string, map[string]string, time.Time, error)
	SaveConversation(ctx context.Context, id, step string, data map[string]string, updated time.Time) error
	Enqueue(ctx context.Context, id, channel, user string, payload []byte, now time.Time) error
	LeaseOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int64) ([]ansinh.OutMessage, error)
	Sent(ctx context.Context, id, remoteID string, now time.Time) error
	Retry(ctx context.Context, id string, attempts int, next time.Time, reason string) error
	GiveUp(ctx context.Context, id string, attempts int, reason string, now time.Time) error
	Token(ctx context.Context, name string) (string, string, time.Time, error)
	SeedToken(ctx context.Context, name, refresh string) error
	LockToken(ctx context.Context, name string, now time.Time, lease time.Duration) (string, bool, error)
	SaveToken(ctx context.Context, name, access, refresh string, expires time.Time) error
	LinkReceipt(ctx context.Context, receipt, channel, user string) error
	ReceiptUser(ctx context.Context, receipt string) (string, string, error)
	RegistrationReceipts(ctx context.Context, beneficiaryID string) ([]string, error)
	Registration(ctx context.Context, receipt string) (*ansinh.Registration, error)
	CommunePhone(ctx context.Context, commune string) (string, error)
	Contact(ctx context.Context, unit string) (*ansinh.Contact, error)
}

// Bot is the chat channels' worker.
type Bot struct {
	store         Store
	registrations *registration.Service
	engine        *conversation.Engine
	zalo          *zalo.Client // nil when Zalo is not configured
	log           *slog.Logger
	now           func() time.Time
	wake          chan struct{}
	// A message is given up after maxAttempts failures, or when still unsent maxAge
	// after it was queued.
	maxAttempts int
	maxAge      time.Duration
}

// New builds the bot. client may be nil (no Zalo: the web chat still works).
func New(st Store, en *registration.Service, client *zalo.Client, log *slog.Logger, now func() time.Time) *Bot {
	if now == nil {
		now = time.Now
	}
	b := &Bot{store: st, registrations: en, zalo: client, log: log, now: now, wake: make(chan struct{}, 1),
		maxAttempts: ansinh.DefaultOutboxMaxAttempts, maxAge: ansinh.DefaultOutboxMaxAge}
	return b
}

// SetOutboxLimits says when the outbox gives up on a message (ANSINH_OUTBOX_*).
func (b *Bot) SetOutboxLimits(c ansinh.OutboxConfig) {
	if c.MaxAttempts > 0 {
		b.maxAttempts = c.MaxAttempts
	}
	if c.MaxAge > 0 {
		b.maxAge = c.MaxAge
	}
}

// Channels.
const (
	ChannelZalo = "zalo"
	ChannelWeb  = "web"
	tokenName   = "zalo"
)

// Wake tells the worker there is work, without waiting.
func (b *Bot) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// SeedToken stores the configured refresh token when the store has none.
func (b *Bot) SeedToken(ctx context.Context, refresh string) error {
	if refresh == "" {
		return nil
	}
	return b.store.SeedToken(ctx, tokenName, refresh)
}

// Run processes events and sends messages until ctx ends: at once when woken, and
// every second for retries that come due.
func (b *Bot) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if err := b.Step(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("zalobot", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-b.wake:
		case <-t.C:
		}
	}
}

// Step processes every pending event, then sends every due message.
func (b *Bot) Step(ctx context.Context) error {
	if err := b.ProcessEvents(ctx); err != nil {
		return err
	}
	return b.SendDue(ctx)
}

// Receive stores a webhook event; the answer to Zalo is 200 whatever happens here.
func (b *Bot) Receive(ctx context.Context, ev *zalo.Event, body []byte) (bool, error) {
	stored, err := b.store.SaveEvent(ctx, ev.Key(), ev.UserID, body, b.now())
	if stored {
		b.Wake()
	}
	return stored, err
}

// ProcessEvents handles a batch of stored events oldest first (so each user's in
// order). One batch at a time, with the sends in between: a steady stream of events
// must not keep the replies from going out. A full batch wakes the worker again.
func (b *Bot) ProcessEvents(ctx context.Context) error {
	events, err := b.store.PendingEvents(ctx, b.now(), lease, eventBatch)
	if err != nil || len(events) == 0 {
		return err
	}
	for _, pe := range events {
		if err := b.process(ctx, pe); err != nil {
			// A passing failure (the store busy): give the event back soon rather
			// than when its lease ends.
			b.log.Warn("zalobot: process event", "err", err)
			return b.store.RetryEvent(ctx, pe.Key, b.now().Add(time.Second))
		}
		if err := b.store.EventDone(ctx, pe.Key); err != nil {
			return err
		}
	}
	if len(events) == eventBatch {
		b.Wake()
	}
	return nil
}

// eventBatch is how many events one step leases.
const eventBatch = 50

func (b *Bot) process(ctx context.Context, pe ansinh.PendingEvent) error {
	ev, err := zalo.ParseEvent(pe.Body)
	if err != nil || ev.UserID == "" {
		return nil // stored but unreadable: nothing to answer
	}
	in := conversation.Input{Text: ev.Text}
	var extra []conversation.Reply
	switch ev.Name {
	case "follow":
		in.Text = "xin chào"
	case "user_submit_info":
		if ev.Info != nil {
			in.Text = ev.Info.Phone
		}
	case "user_send_image":
		p, err := b.readVietQR(ctx, ev.ImageURL)
		if err != nil {
			extra = append(extra, conversation.Reply{Text: ansinh.ErrorMessage(err)})
			return b.reply(ctx, ChannelZalo, ev.UserID, pe.Key, pe.ReceivedAt, extra)
		}
		in.BIN, in.AccountNumber = p.BIN, p.AccountNumber
	}
	replies, err := b.Converse(ctx, ChannelZalo, ev.UserID, in)
	if err != nil {
		return err
	}
	return b.reply(ctx, ChannelZalo, ev.UserID, pe.Key, pe.ReceivedAt, replies)
}

func (b *Bot) readVietQR(ctx context.Context, url string) (*vietqr.Payload, error) {
	if b.zalo == nil || url == "" {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgVietQRUnreadable)
	}
	img, err := b.zalo.FetchImage(ctx, url, 8<<20)
	if err != nil {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgVietQRUnreadable)
	}
	text, err := vietqr.DecodeImage(bytes.NewReader(img))
	if err != nil {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgVietQRUnreadable)
	}
	p, err := vietqr.Parse(text)
	if err != nil {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgVietQRInvalid)
	}
	return p, nil
}

// Converse runs one message of a user through the engine, with the state from and
// back to the store.
func (b *Bot) Converse(ctx context.Context, channel, user string, in conversation.Input) ([]conversation.Reply, error) {
	id := channel + ":" + user
	step, data, updated, err := b.store.Conversation(ctx, id)
	if err != nil {
		return nil, err
	}
	st := &conversation.State{Step: step, Data: data, Updated: updated}
	engine := conversation.New(services{bot: b, channel: channel, user: user}, b.now)
	replies, err := engine.Handle(ctx, st, in)
	if err != nil {
		return nil, err
	}
	if err := b.store.SaveConversation(ctx, id, st.Step, st.Data, b.now()); err != nil {
		return nil, err
	}
	return replies, nil
}

// WebChat runs one message of the web chat (in nil: the page is only opened) and
// returns the conversation so far. Opening the page shows the history as it is; a new
// conversation, or one paused too long, starts with the greeting.
func (b *Bot) WebChat(ctx context.Context, user string, in *conversation.Input, lang string) (*conversation.Transcript, error) {
	id := ChannelWeb + ":" + user
	step, data, updated, err := b.store.Conversation(ctx, id)
	if err != nil {
		return nil, err
	}
	st := &conversation.State{Step: step, Data: data, Updated: updated}
	fresh := !updated.IsZero() && b.now().Sub(updated) <= conversation.IdleTimeout
	if in == nil && fresh && len(conversation.History(st)) > 0 {
		return conversation.NewTranscript(st), nil
	}
	if in == nil {
		in = &conversation.Input{Text: "xin chào", Quiet: true, Lang: lang}
	}
	engine := conversation.New(services{bot: b, channel: ChannelWeb, user: user}, b.now)
	engine.KeepHistory = true
	if _, err := engine.Handle(ctx, st, *in); err != nil {
		return nil, err
	}
	if err := b.store.SaveConversation(ctx, id, st.Step, st.Data, b.now()); err != nil {
		return nil, err
	}
	return conversation.NewTranscript(st), nil
}

// reply stores the replies in the outbox, each under an id derived from the event (its
// time orders the outbox), so that processing the same event twice does not send twice.
func (b *Bot) reply(ctx context.Context, channel, user, key string, at time.Time, replies []conversation.Reply) error {
	now := b.now()
	for i, r := range replies {
		m := zalo.Message{UserID: user, Text: r.Text}
		for _, btn := range r.Buttons {
			m.Buttons = append(m.Buttons, zalo.Button{Title: btn.Title, Payload: btn.Payload})
		}
		if r.Phone != "" {
			m.PhoneButton = &zalo.PhoneButton{Title: "Gọi cán bộ", Phone: r.Phone}
		}
		payload, err := json.Marshal(m)
		if err != nil {
			return err
		}
		id := fmt.Sprintf("%s:%020d:%s:%d", channel, at.UnixNano(), key, i)
		if err := b.store.Enqueue(ctx, id, channel, user, payload, now); err != nil {
			return err
		}
	}
	b.Wake()
	return nil
}

// lease is how long one sender holds a message.
const lease = 30 * time.Second

// SendDue sends the messages that are due, with the reference's error handling: a
// stale token is refreshed once and the message re-sent; a rate limit or an outage
// backs off; a permanent refusal, the attempt cap or the maximum age ends in failed,
// with the reason, for an operator (`ansinh outbox list -failed`).
func (b *Bot) SendDue(ctx context.Context) error {
	if b.zalo == nil {
		return nil
	}
	msgs, err := b.store.LeaseOutbox(ctx, b.now(), lease, 20)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := b.sendOne(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// sendOne tries one leased message and records the outcome.
func (b *Bot) sendOne(ctx context.Context, m ansinh.OutMessage) error {
	// The outcome is recorded even when ctx ends meanwhile (shutdown): a message sent
	// but not marked sent would go again.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	attempts := m.Attempts + 1
	var zm zalo.Message
	switch {
	case m.Channel != ChannelZalo:
		return b.store.GiveUp(rec, m.ID, m.Attempts, fmt.Sprintf("unknown channel %q", m.Channel), b.now())
	case b.now().Sub(m.Queued) > b.maxAge:
		return b.store.GiveUp(rec, m.ID, m.Attempts, fmt.Sprintf("still unsent %s after it was queued", b.maxAge), b.now())
	case json.Unmarshal(m.Payload, &zm) != nil:
		return b.store.GiveUp(rec, m.ID, m.Attempts, "unreadable payload", b.now())
	case zm.Validate() != nil:
		return b.store.GiveUp(rec, m.ID, m.Attempts, "invalid message: "+zm.Validate().Error(), b.now())
	}
	remote, err := b.send(ctx, zm)
	switch {
	case err == nil:
		return b.store.Sent(rec, m.ID, remote, b.now())
	case permanent(err):
		return b.store.GiveUp(rec, m.ID, attempts, err.Error(), b.now())
	case attempts >= b.maxAttempts:
		return b.store.GiveUp(rec, m.ID, attempts, fmt.Sprintf("gave up after %d attempts: %v", attempts, err), b.now())
	default:
		return b.store.Retry(rec, m.ID, attempts, b.now().Add(backoff(attempts)), err.Error())
	}
}

// permanent reports a failure that retrying will not cure: Zalo refused the message
// or the token (a user who does not follow the OA, an invalid parameter, an OA an admin
// must re-authorise), or the API answered 4xx other than 408 and 429 (the request
// itself is wrong). Outages, time-outs and rate limits are not.
func permanent(err error) bool {
	var apiErr *zalo.APIError
	if errors.As(err, &apiErr) {
		return !zalo.Retryable(err)
	}
	var httpErr *zalo.HTTPError
	if errors.As(err, &httpErr) {
		c := httpErr.StatusCode
		return c >= 400 && c < 500 && c != 408 && c != 429
	}
	return false
}

// backoff is 30 s, 2 min, 8 min … (four times longer each time), at most 12 h: eight
// attempts span about a day.
func backoff(attempts int) time.Duration {
	d := 30 * time.Second << (2 * min(max(attempts-1, 0), 8))
	return min(d, 12*time.Hour)
}

func (b *Bot) send(ctx context.Context, m zalo.Message) (string, error) {
	token, err := b.accessToken(ctx, false)
	if err != nil {
		return "", err
	}
	id, err := b.zalo.Send(ctx, token, m)
	var apiErr *zalo.APIError
	if errors.As(err, &apiErr) && apiErr.TokenInvalid() {
		if token, err = b.accessToken(ctx, true); err != nil {
			return "", err
		}
		return b.zalo.Send(ctx, token, m)
	}
	return id, err
}

// AccessToken is accessToken, for the notices (notify) that send with the same token.
func (b *Bot) AccessToken(ctx context.Context, force bool) (string, error) {
	if b.zalo == nil {
		return "", errors.New("zalobot: zalo is not configured")
	}
	return b.accessToken(ctx, force)
}

// accessToken returns a fresh access token, refreshing it when it is missing, about
// to expire, or force. Only the holder of the store's lock refreshes, and saves the new
// pair before using it: the refresh token works once.
func (b *Bot) accessToken(ctx context.Context, force bool) (string, error) {
	access, _, expires, err := b.store.Token(ctx, tokenName)
	if err != nil {
		return "", err
	}
	if access != "" && !force && b.now().Add(time.Minute).Before(expires) {
		return access, nil
	}
	for range 50 {
		now := b.now()
		current, _, exp, err := b.store.Token(ctx, tokenName)
		if err != nil {
			return "", err
		}
		if current != "" && current != access && now.Add(time.Minute).Before(exp) { // refreshed meanwhile
			return current, nil
		}
		refresh, got, err := b.store.LockToken(ctx, tokenName, now, 30*time.Second)
		if err != nil {
			return "", err
		}
		if got {
			tok, err := b.zalo.Refresh(ctx, refresh)
			if err != nil {
				return "", fmt.Errorf("zalobot: refresh zalo token: %w", err)
			}
			// The refresh token worked once: save the new pair before using it.
			if err := b.store.SaveToken(ctx, tokenName, tok.Access, tok.Refresh, now.Add(tok.ExpiresIn)); err != nil {
				return "", err
			}
			return tok.Access, nil
		}
		select { // someone else refreshes: wait for their pair
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return "", errors.New("zalobot: the zalo token stays locked")
}

// Decided tells a user who registered through Zalo about the decision.
func (b *Bot) Decided(ctx context.Context, r *ansinh.Registration, d *ansinh.Decision) error {
	if r.Channel != ansinh.ChannelZalo {
		return nil
	}
	channel, user, err := b.store.ReceiptUser(ctx, r.Receipt)
	if err != nil {
		return err
	}
	text := fmt.Sprintf(ansinh.MsgZaloVerified, ansinh.FormatReceipt(r.Receipt))
	if d.Status == ansinh.StatusRejected {
		text = fmt.Sprintf(ansinh.MsgZaloRejected, ansinh.FormatReceipt(r.Receipt), strings.TrimSpace(d.ReasonText()))
	}
	return b.reply(ctx, channel, user, "decision:"+r.Receipt, b.now(), []conversation.Reply{{Text: text}})
}

// services gives the engine what it needs, for one user of one channel.
type services struct {
	bot     *Bot
	channel string
	user    string
}

func (s services) IdentifyByCCCD(ctx context.Context, cccd, birthDate string) (*ansinh.Beneficiary, error) {
	return s.bot.registrations.IdentifyByCCCD(ctx, cccd, birthDate)
}

func (s services) Submit(ctx context.Context, b *ansinh.Beneficiary, req *ansinh.RegistrationRequest) (string, error) {
	channel := ansinh.ChannelZalo
	if s.channel == ChannelWeb {
		channel = ansinh.ChannelQR
	}
	receipt, _, err := s.bot.registrations.SubmitFor(ctx, b, req, channel)
	if err != nil {
		return "", err
	}
	return receipt, s.bot.store.LinkReceipt(ctx, receipt, s.channel, s.user)
}

func (s services) Status(ctx context.Context, receipt string) (*ansinh.Registration, error) {
	return s.bot.registrations.Status(ctx, receipt)
}

func (s services) LatestStatus(ctx context.Context, beneficiaryID string) (*ansinh.Registration, error) {
	receipts, err := s.bot.store.RegistrationReceipts(ctx, beneficiaryID)
	if err != nil {
		return nil, err
	}
	if len(receipts) == 0 {
		return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	return s.bot.store.Registration(ctx, receipts[len(receipts)-1])
}

// Officer is the commune's contact as its officer keeps it (the settings page), else
// the phone on a commune officer's account; nothing for an unknown commune.
func (s services) Officer(ctx context.Context, commune string) conversation.Officer {
	if commune == "" {
		return conversation.Officer{}
	}
	if c, err := s.bot.store.Contact(ctx, commune); err == nil && !c.Empty() {
		return conversation.Officer{Name: c.Name, Phone: c.Phone, Hours: c.Hours}
	}
	phone, err := s.bot.store.CommunePhone(ctx, commune)
	if err != nil {
		return conversation.Officer{}
	}
	return conversation.Officer{Phone: phone}
}
