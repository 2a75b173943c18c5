package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/prometheus/client_golang/prometheus"

	"ansinh"
	"ansinh/conversation"
	"ansinh/i18n"
	"ansinh/zalo"
)

// ChatBot is the conversation worker the chat routes hand messages to.
type ChatBot interface {
	Receive(ctx context.Context, ev *zalo.Event, body []byte) (bool, error)
	// WebChat runs a message of the web chat (nil: the page is opened) and returns
	// the conversation so far.
	// lang is the language of the greeting when the page opens a new conversation.
	WebChat(ctx context.Context, user string, in *conversation.Input, lang string) (*conversation.Transcript, error)
}

// ZaloWebhook is POST /webhooks/zalo: verify against the raw body, store, answer 200
// at once; the worker answers the user afterwards. Whatever is wrong with a delivery,
// the answer is 200, so that Zalo does not disable the webhook; nothing is stored and
// nothing answered unless the signature is right.
func (h *Handler) ZaloWebhook(c *fiber.Ctx) error {
	body := append([]byte(nil), c.Body()...)
	result, err := h.receiveZalo(c, body)
	h.metrics.webhook.WithLabelValues(result).Inc()
	if result == "forged" {
		h.log.Warn("zalo webhook: bad signature", "ip", h.clientIP(c))
	}
	if err != nil {
		// Not stored: an error status makes Zalo deliver it again later.
		return fmt.Errorf("zalo webhook: store event: %w", err)
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

func (h *Handler) receiveZalo(c *fiber.Ctx, body []byte) (string, error) {
	ev, err := zalo.ParseEvent(body)
	switch {
	case err != nil:
		return "garbage", nil
	case ev.Name == "":
		return "probe", nil
	case !zalo.VerifySignature(c.Get("X-ZEvent-Signature"), body, ev.AppID, ev.Timestamp, h.cfg.Zalo.OASecretKey) || h.cfg.Zalo.OASecretKey == "":
		return "forged", nil
	case ev.Echo():
		return "echo", nil
	case !ev.Handled() || ev.UserID == "" || h.bot == nil:
		return "ignored", nil
	}
	stored, err := h.bot.Receive(c.UserContext(), ev, body)
	if err != nil {
		return "error", err
	}
	if !stored {
		return "duplicate", nil
	}
	return "stored", nil
}

func newWebhookMetric(reg prometheus.Registerer) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ansinh_zalo_webhook_total",
		Help: "Zalo webhook deliveries by outcome (stored, duplicate, forged, probe, echo, ignored, garbage, error).",
	}, []string{"result"})
	_ = reg.Register(v)
	return v
}

const chatCookie = "ansinh_chat"

type chatView struct {
	Title   string
	User    *ansinh.User // always nil: a public page
	CSRF    string
	Turns   []conversation.Turn
	Active  int
	Digits  bool
	Commune string
	Notice  string // a photo that could not be read
	Lang    string
}

func (v chatView) contactCommune() string { return v.Commune }

// ChatPage is the web chat: the same conversation as on Zalo, for people without Zalo
// and for demonstrations, with the conversation so far. Plain forms: works without
// JavaScript.
func (h *Handler) ChatPage(c *fiber.Ctx) error {
	return h.chat(c, nil, "")
}

// ChatPost takes one message of the web chat.
func (h *Handler) ChatPost(c *fiber.Ctx) error {
	text := utils.CopyString(strings.TrimSpace(c.FormValue("text")))
	if len([]rune(text)) > 500 {
		text = string([]rune(text)[:500])
	}
	return h.chat(c, &conversation.Input{Text: text}, "")
}

// ChatPhoto takes a photo of the bank app's QR code (VietQR): bank and account in one
// go. A file that is not an image, too large, or without a readable code gets a clear
// message and changes nothing.
func (h *Handler) ChatPhoto(c *fiber.Ctx) error {
	fh, err := c.FormFile("photo")
	if err != nil {
		return h.chat(c, nil, ansinh.MsgChatPhotoMissing)
	}
	if fh.Size > maxImageBytes {
		return h.chat(c, nil, ansinh.MsgImageTooLarge)
	}
	file, err := fh.Open()
	if err != nil {
		return h.chat(c, nil, ansinh.MsgVietQRUnreadable)
	}
	defer file.Close()
	p, err := decodeVietQR(file)
	if err != nil {
		return h.chat(c, nil, ansinh.ErrorMessage(err))
	}
	return h.chat(c, &conversation.Input{BIN: p.BIN, AccountNumber: p.AccountNumber, Said: ansinh.MsgChatPhotoSaid}, "")
}

func (h *Handler) chat(c *fiber.Ctx, in *conversation.Input, notice string) error {
	if h.bot == nil {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	id := c.Cookies(chatCookie)
	if len(id) < 20 {
		id = ansinh.RandomToken(18)
		c.Cookie(&fiber.Cookie{Name: chatCookie, Value: id, Path: "/chat", HTTPOnly: true,
			SameSite: fiber.CookieSameSiteLaxMode, Secure: h.overHTTPS(c)})
	}
	lang := h.lang(c)
	if in != nil {
		in.Lang = lang
	}
	t, err := h.bot.WebChat(c.UserContext(), id, in, lang)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	status := fiber.StatusOK
	if notice != "" {
		status = fiber.StatusUnprocessableEntity
	}
	return c.Status(status).Render("chat", chatView{Title: i18n.T(lang, "chat.title"), CSRF: h.csrfToken(c), Turns: t.Turns,
		Active: t.Active, Digits: t.Digits, Commune: t.Commune, Notice: notice, Lang: lang})
}
