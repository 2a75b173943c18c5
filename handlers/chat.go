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
	"ansinh/zalo"
)

// ChatBot is the conversation worker the chat routes hand messages to.
type ChatBot interface {
	Receive(ctx context.Context, ev *zalo.Event, body []byte) (bool, error)
	Converse(ctx context.Context, channel, user string, in conversation.Input) ([]conversation.Reply, error)
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
	User    *ansinh.User
	CSRF    string
	Said    string
	Replies []conversation.Reply
}

// ChatPage is the web chat: the same conversation as on Zalo, for people without Zalo
// and for demonstrations. Plain forms: works without JavaScript.
func (h *Handler) ChatPage(c *fiber.Ctx) error {
	return h.chat(c, "xin chào", "")
}

// ChatPost takes one message of the web chat.
func (h *Handler) ChatPost(c *fiber.Ctx) error {
	text := utils.CopyString(strings.TrimSpace(c.FormValue("text")))
	if len([]rune(text)) > 500 {
		text = string([]rune(text)[:500])
	}
	return h.chat(c, text, text)
}

func (h *Handler) chat(c *fiber.Ctx, text, said string) error {
	if h.bot == nil {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	id := c.Cookies(chatCookie)
	if len(id) < 20 {
		id = ansinh.RandomToken(18)
		c.Cookie(&fiber.Cookie{Name: chatCookie, Value: id, Path: "/chat", HTTPOnly: true,
			SameSite: fiber.CookieSameSiteLaxMode, Secure: h.overHTTPS(c)})
	}
	replies, err := h.bot.Converse(c.UserContext(), "web", id, conversation.Input{Text: text})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("chat", chatView{Title: "Trò chuyện đăng ký tài khoản", CSRF: h.csrfToken(c), Said: said, Replies: replies})
}
