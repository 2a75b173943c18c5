package handlers

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
	"ansinh/g2p"
	"ansinh/mapper"
)

// The G2P Connect ID-account mapper (reference/g2p-connect-mapper.md): payment systems
// ask which verified account pays a person. The protocol is g2p/, what a client may
// see is decided in mapper/; here are the HTTP side, the client's credentials and the
// envelopes every answer comes in, refusals included.

// G2PStore is what the mapper's routes need beyond what mapper.Store reads.
type G2PStore interface {
	mapper.ClientStore
	APIClientByToken(ctx context.Context, token string) (*ansinh.APIClient, error)
	APIClients(ctx context.Context) ([]*ansinh.APIClient, error)
	RememberMessage(ctx context.Context, sender, messageID string, now time.Time, keep time.Duration) (bool, error)
	ForgetMessage(ctx context.Context, sender, messageID string) error
	CountClientRequest(ctx context.Context, sender string, now time.Time) (int, error)
	EnqueueCallback(ctx context.Context, id, sender, url string, body []byte, now time.Time) error
	BeneficiaryID(cccd string) string
	AccountIndex(bin, number string) string
	AccountHolderID(ctx context.Context, bin, number string) (string, error)
}

const localClient = "g2p-client"

// Limits of the mapper's routes.
const (
	maxG2PBody = 256 << 10
	// messageKeep outlives the oldest message_ts accepted, so every replay is seen.
	messageKeep = g2p.MaxMessageAge + 24*time.Hour
	// answerTTL is how long ansinh's signature on an answer stays current.
	answerTTL = 10 * time.Minute
)

// requireClient admits a registered, active client by its bearer token (the scheme
// name in any case), within its rate.
func (h *Handler) requireClient(c *fiber.Ctx) error {
	scheme, token, _ := strings.Cut(strings.TrimSpace(c.Get(fiber.HeaderAuthorization)), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "bearer") || token == "" || len(token) > 200 {
		return h.g2pHTTPError(c, fiber.StatusUnauthorized, g2p.ErrUnauthorized, "a bearer token is required", `Bearer realm="g2p"`)
	}
	client, err := h.store.APIClientByToken(c.UserContext(), token)
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND || (err == nil && client.Status == ansinh.ClientRevoked) {
		return h.g2pHTTPError(c, fiber.StatusUnauthorized, g2p.ErrUnauthorized, "the token is unknown or revoked", `Bearer realm="g2p", error="invalid_token"`)
	}
	if err != nil {
		return err
	}
	if client.Status != ansinh.ClientActive {
		return h.g2pHTTPError(c, fiber.StatusForbidden, g2p.ErrForbidden, "this client is paused by the registry's administrator", "")
	}
	now := h.now()
	n, err := h.store.CountClientRequest(c.UserContext(), client.SenderID, now)
	if err != nil {
		return err
	}
	if n > client.RateLimit {
		wait := 60 - now.UTC().Second()
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(wait))
		return h.g2pRefuse(c, client, nil, &g2p.Refusal{Status: fiber.StatusTooManyRequests, Err: g2p.ErrTooManyRequests,
			Message: fmt.Sprintf("more than %d requests this minute; try again in %d s", client.RateLimit, wait)}, !strings.Contains(c.Path(), "/sync/"))
	}
	c.Locals(localClient, client)
	return c.Next()
}

// Resolve is POST /g2p/mapper/sync/resolve: the answer in the response.
func (h *Handler) Resolve(c *fiber.Ctx) error { return h.resolve(c, false) }

// ResolveAsync is POST /g2p/mapper/resolve: an acknowledgement at once, the answer
// posted to the client's callback address + /mapper/on-resolve (mapper.Deliverer).
func (h *Handler) ResolveAsync(c *fiber.Ctx) error { return h.resolve(c, true) }

func (h *Handler) resolve(c *fiber.Ctx, async bool) error {
	client := c.Locals(localClient).(*ansinh.APIClient)
	ctx, now := c.UserContext(), h.now()
	hd, req, r := h.readResolve(c, client, now)
	if r == nil && async {
		r = checkCallback(client, hd)
	}
	if r == nil {
		fresh, err := h.store.RememberMessage(ctx, client.SenderID, hd.MessageID, now, messageKeep)
		if err != nil {
			return err
		}
		if !fresh {
			r = &g2p.Refusal{Status: fiber.StatusBadRequest, Code: g2p.HdrMessageIDDuplicate, Err: g2p.ErrRequestBad,
				Message: "this message_id was already received from this sender"}
		}
	}
	if r != nil {
		if err := h.auditRefusal(c, client, hd, r); err != nil {
			return err
		}
		return h.g2pRefuse(c, client, hd, r, async)
	}
	answered := false
	defer func() {
		if !answered { // an internal failure: the sender may send the message again
			_ = h.store.ForgetMessage(context.WithoutCancel(ctx), client.SenderID, hd.MessageID)
		}
	}()
	answers, asked, err := h.mapper.Resolve(ctx, client, req.Items, now)
	if err != nil {
		return err
	}
	correlation := ansinh.RandomToken(18)
	header := h.answerHeader(client, g2p.StatusSuccess, len(req.Items), now)
	header.CompletedCount = len(answers)
	msg := g2p.ResolveResponse{TransactionID: *req.TransactionID, CorrelationID: correlation, Answers: answers}
	err = h.store.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: "client:" + client.SenderID, Action: ansinh.ActionResolve,
		Target: "client:" + client.SenderID, IP: h.clientIP(c), Detail: map[string]any{"message_id": hd.MessageID, "transaction_id": *req.TransactionID,
			"correlation_id": correlation, "async": async, "items": len(req.Items), "ids": asked.IDs, "fas": asked.FAs, "details": asked.Details}})
	if err != nil {
		return err
	}
	if async {
		// Callbacks are always signed: ansinh's signature is how a client knows the
		// result comes from the registry.
		body, err := g2p.Encode(header, msg, h.g2pSigner())
		if err != nil {
			return err
		}
		if err := h.store.EnqueueCallback(ctx, correlation, client.SenderID, client.CallbackURL+"/mapper/on-resolve", body, now); err != nil {
			return err
		}
		answered = true
		return c.JSON(g2p.Ack{Message: g2p.AckMessage{AckStatus: g2p.AckOK, Timestamp: g2p.Timestamp(now), CorrelationID: correlation}})
	}
	body, err := g2p.Encode(header, msg, h.signerFor(client))
	if err != nil {
		return err
	}
	answered = true
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body)
}

// readResolve reads and checks a resolve request of client: the envelope, the
// signature (for a client with a key), the sender, the header and the message. The
// header is returned when it could be read, for the refusal's envelope.
func (h *Handler) readResolve(c *fiber.Ctx, client *ansinh.APIClient, now time.Time) (*g2p.Header, *g2p.ResolveRequest, *g2p.Refusal) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		return nil, nil, g2p.BadRequest("Content-Type must be application/json")
	}
	if len(c.Body()) > maxG2PBody {
		return nil, nil, &g2p.Refusal{Status: fiber.StatusRequestEntityTooLarge, Err: g2p.ErrRequestBad, Message: "the body is larger than 256 KB"}
	}
	env, r := g2p.DecodeEnvelope(c.Body())
	if r != nil {
		return nil, nil, r
	}
	hd, r := g2p.DecodeHeader(env)
	if r != nil {
		return nil, nil, r
	}
	if len(client.PublicKey) > 0 {
		err := g2p.Verify(env.Signature, ed25519.PublicKey(client.PublicKey), client.SenderID, env.Header, env.Message, now)
		switch {
		case errors.Is(err, g2p.ErrNoSignature):
			return hd, nil, &g2p.Refusal{Status: fiber.StatusUnauthorized, Err: g2p.ErrSignatureMissing, Message: "this client registered a key: every message must be signed"}
		case err != nil:
			return hd, nil, &g2p.Refusal{Status: fiber.StatusUnauthorized, Err: g2p.ErrSignatureInvalid, Message: strings.TrimPrefix(err.Error(), "g2p: ")}
		}
	}
	if ansinh.NormalizeSenderID(hd.SenderID) != client.SenderID {
		return hd, nil, &g2p.Refusal{Status: fiber.StatusForbidden, Err: g2p.ErrSenderIDInvalid, Message: "header.sender_id is not the sender this token was issued to"}
	}
	if r := g2p.CheckHeader(hd, g2p.ActionResolve, now); r != nil {
		return hd, nil, r
	}
	req, r := g2p.DecodeResolve(env, hd)
	return hd, req, r
}

// checkCallback: an asynchronous request needs a registered callback address, and a
// sender_uri, when given, must be that address (results never go anywhere else).
func checkCallback(client *ansinh.APIClient, hd *g2p.Header) *g2p.Refusal {
	if client.CallbackURL == "" {
		return &g2p.Refusal{Status: fiber.StatusBadRequest, Err: g2p.ErrSenderURIInvalid, Message: "no callback address is registered for this client; use /mapper/sync/resolve"}
	}
	if hd.SenderURI != "" && strings.TrimRight(hd.SenderURI, "/") != client.CallbackURL {
		return &g2p.Refusal{Status: fiber.StatusBadRequest, Err: g2p.ErrSenderURIInvalid, Message: "header.sender_uri is not the callback address registered for this client"}
	}
	return nil
}

// NotSupported answers link, update and unlink: an account becomes a person's only
// when their commune verifies it, so no payment system may link one.
func (h *Handler) NotSupported(action string, async bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		client := c.Locals(localClient).(*ansinh.APIClient)
		r := &g2p.Refusal{Status: fiber.StatusBadRequest, Code: g2p.HdrActionNotSupported, Err: g2p.ErrForbidden,
			Message: action + " is not offered: an account becomes a person's only when their commune verifies it (the registry's own flow)"}
		var hd *g2p.Header
		if env, rr := g2p.DecodeEnvelope(c.Body()); rr == nil && len(c.Body()) <= maxG2PBody {
			hd, _ = g2p.DecodeHeader(env)
		}
		if async {
			return h.g2pAckError(c, r)
		}
		header := h.answerHeader(client, g2p.StatusRejected, total(hd), h.now())
		header.Action = "on-" + action
		header.StatusReasonCode, header.StatusReasonMessage = r.Code, g2p.Reason(r.Message)
		return h.g2pSend(c, r.Status, header, client)
	}
}

// g2pRefuse answers a refused request: a 401, 403 or 500 with the spec's HTTP error
// body; anything else with the on-resolve envelope (synchronous) or an ERR
// acknowledgement (asynchronous).
func (h *Handler) g2pRefuse(c *fiber.Ctx, client *ansinh.APIClient, hd *g2p.Header, r *g2p.Refusal, async bool) error {
	switch r.Status {
	case fiber.StatusUnauthorized:
		return h.g2pHTTPError(c, r.Status, r.Err, r.Message, `Signature realm="g2p", headers="`+g2p.SignatureHeaders+`"`)
	case fiber.StatusForbidden, fiber.StatusInternalServerError:
		return h.g2pHTTPError(c, r.Status, r.Err, r.Message, "")
	}
	if async {
		return h.g2pAckError(c, r)
	}
	header := h.answerHeader(client, g2p.StatusRejected, total(hd), h.now())
	header.StatusReasonCode = r.Code
	header.StatusReasonMessage = g2p.Reason(r.Message)
	if r.Code == "" {
		header.StatusReasonMessage = g2p.Reason(r.Err + ": " + r.Message)
	}
	return h.g2pSend(c, r.Status, header, client)
}

func (h *Handler) g2pAckError(c *fiber.Ctx, r *g2p.Refusal) error {
	msg := r.Message
	if r.Code != "" {
		msg = r.Code + ": " + msg
	}
	return c.Status(r.Status).JSON(g2p.Ack{Message: g2p.AckMessage{AckStatus: g2p.AckError, Timestamp: g2p.Timestamp(h.now()),
		Error: &g2p.Error{Code: r.Err, Message: g2p.Reason(msg)}, CorrelationID: ansinh.RandomToken(18)}})
}

// g2pSend writes a header-only envelope, signed for a client with a key.
func (h *Handler) g2pSend(c *fiber.Ctx, status int, header g2p.CallbackHeader, client *ansinh.APIClient) error {
	body, err := g2p.Encode(header, nil, h.signerFor(client))
	if err != nil {
		return err
	}
	c.Status(status).Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body)
}

// g2pHTTPError writes the spec's HTTP error body; a 401 says how to authenticate.
func (h *Handler) g2pHTTPError(c *fiber.Ctx, status int, code, msg, challenge string) error {
	if challenge != "" {
		c.Set(fiber.HeaderWWWAuthenticate, challenge)
	}
	return c.Status(status).JSON(g2p.HTTPError{Errors: []g2p.Error{{Code: code, Message: g2p.Reason(msg)}}})
}

func (h *Handler) answerHeader(client *ansinh.APIClient, status string, total int, now time.Time) g2p.CallbackHeader {
	hd := g2p.CallbackHeader{Version: g2p.Version, MessageID: ansinh.RandomToken(18), MessageTS: g2p.Timestamp(now), Action: g2p.ActionOnResolve,
		Status: status, TotalCount: total, SenderID: h.g2pID}
	if client != nil {
		hd.ReceiverID = client.SenderID
	}
	return hd
}

func total(hd *g2p.Header) int {
	if hd == nil || hd.TotalCount == nil || *hd.TotalCount < 0 {
		return 0
	}
	return *hd.TotalCount
}

// signerFor signs the answers to a client that registered a key; nil for others.
func (h *Handler) signerFor(client *ansinh.APIClient) func(header, message []byte) string {
	if client == nil || len(client.PublicKey) == 0 {
		return nil
	}
	return h.g2pSigner()
}

func (h *Handler) g2pSigner() func(header, message []byte) string {
	return func(header, message []byte) string {
		return g2p.Sign(h.g2pKey, h.g2pID, header, message, h.now(), answerTTL)
	}
}

func (h *Handler) auditRefusal(c *fiber.Ctx, client *ansinh.APIClient, hd *g2p.Header, r *g2p.Refusal) error {
	detail := map[string]any{"status": r.Status, "code": r.Code, "error": r.Err}
	if hd != nil {
		detail["message_id"] = hd.MessageID
	}
	return h.store.Audit(c.UserContext(), &ansinh.AuditEvent{At: h.now(), Actor: "client:" + client.SenderID, Action: ansinh.ActionResolveRefused,
		Target: "client:" + client.SenderID, IP: h.clientIP(c), Detail: detail})
}

// G2PKeys is GET /g2p/mapper/keys: the key ansinh signs its answers with, for
// clients to verify them.
func (h *Handler) G2PKeys(c *fiber.Ctx) error {
	pub := h.g2pKey.Public().(ed25519.PublicKey)
	return c.JSON(fiber.Map{"keys": []fiber.Map{{"kid": h.g2pID + "|" + g2p.KeyID(pub) + "|ed25519", "algorithm": "ed25519",
		"public_key": base64.StdEncoding.EncodeToString(pub)}}})
}

// g2pErrorCode is the transport code of an error that reaches the ErrorHandler on the
// mapper's paths (no route, wrong method, too large, time-out, failure).
func g2pErrorCode(status int) string {
	switch {
	case status == fiber.StatusUnauthorized:
		return g2p.ErrUnauthorized
	case status == fiber.StatusForbidden:
		return g2p.ErrForbidden
	case status == fiber.StatusNotFound:
		return g2p.ErrNotFound
	case status == fiber.StatusRequestTimeout:
		return g2p.ErrTimeout
	case status == fiber.StatusTooManyRequests:
		return g2p.ErrTooManyRequests
	case status >= 500:
		return g2p.ErrServiceUnavailable
	}
	return g2p.ErrRequestBad
}
