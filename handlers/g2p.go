package handlers

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// The G2P Connect ID-account mapper (reference/g2p-connect-mapper.md): payment systems
// ask which account pays a person. Only verified accounts are answered. Financial
// address "account:<number>@<BIN>"; person "cccd:<12 digits>@vn".

// G2PStore is what the mapper needs.
type G2PStore interface {
	CreateAPIClient(ctx context.Context, token, name, by string, now time.Time) error
	APIClient(ctx context.Context, token string) (string, error)
	AccountHolderID(ctx context.Context, bin, number string) (string, error)
}

const localClient = "client"

// requireClient admits calls with an API-client token an admin issued.
func (h *Handler) requireClient(c *fiber.Ctx) error {
	token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok || token == "" {
		return ansinh.Errorf(ansinh.EUNAUTHORIZED, ansinh.MsgUnauthorized)
	}
	name, err := h.store.APIClient(c.UserContext(), strings.TrimSpace(token))
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		return ansinh.Errorf(ansinh.EUNAUTHORIZED, ansinh.MsgUnauthorized)
	}
	if err != nil {
		return err
	}
	c.Locals(localClient, name)
	return c.Next()
}

type apiClientRequest struct {
	Name string `json:"name"`
}

// CreateAPIClient lets an admin issue a token for a payment system; shown once.
func (h *Handler) CreateAPIClient(c *fiber.Ctx) error {
	if !currentUser(c).Role.Can(ansinh.ActAPIClients) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	var req apiClientRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	name := ansinh.NormalizeName(req.Name)
	if name == "" || len(name) > 100 {
		return ansinh.FieldError("name", ansinh.MsgRequired)
	}
	token := ansinh.RandomToken(32)
	if err := h.store.CreateAPIClient(c.UserContext(), token, name, currentUser(c).Username, h.now()); err != nil {
		return err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionAPIClient, Target: "client:" + name}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"name": name, "token": token})
}

type g2pHeader struct {
	Version      string `json:"version,omitempty"`
	MessageID    string `json:"message_id"`
	MessageTS    string `json:"message_ts"`
	Action       string `json:"action"`
	SenderID     string `json:"sender_id"`
	ReceiverID   string `json:"receiver_id,omitempty"`
	TotalCount   int    `json:"total_count"`
	IsEncrypted  bool   `json:"is_msg_encrypted,omitempty"`
	Status       string `json:"status,omitempty"`
	Completed    *int   `json:"completed_count,omitempty"`
	ReasonCode   string `json:"status_reason_code,omitempty"`
	ReasonMessag string `json:"status_reason_message,omitempty"`
}

type resolveItem struct {
	ReferenceID string `json:"reference_id"`
	Timestamp   string `json:"timestamp"`
	FA          string `json:"fa,omitempty"`
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Scope       string `json:"scope,omitempty"`
}

type resolveRequest struct {
	Signature string    `json:"signature,omitempty"`
	Header    g2pHeader `json:"header"`
	Message   struct {
		TransactionID string        `json:"transaction_id"`
		Items         []resolveItem `json:"resolve_request"`
	} `json:"message"`
}

type providerInfo struct {
	Name string `json:"name"`
	Code string `json:"code"`
}

type resolveAnswer struct {
	ReferenceID string        `json:"reference_id"`
	Timestamp   string        `json:"timestamp"`
	FA          string        `json:"fa,omitempty"`
	ID          string        `json:"id,omitempty"`
	Provider    *providerInfo `json:"account_provider_info,omitempty"`
	Status      string        `json:"status"`
	ReasonCode  *string       `json:"status_reason_code"`
	ReasonMsg   *string       `json:"status_reason_message"`
}

var (
	faRE = regexp.MustCompile(`^account:([0-9]{6,19})@([0-9]{6})$`)
	idRE = regexp.MustCompile(`^cccd:([0-9]{12})@vn$`)
)

// maxResolve bounds one message.
const maxResolve = 100

// Resolve is POST /g2p/mapper/sync/resolve.
func (h *Handler) Resolve(c *fiber.Ctx) error {
	var req resolveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	hd := req.Header
	fields := map[string]string{}
	if hd.MessageID == "" {
		fields["header.message_id"] = ansinh.MsgRequired
	}
	if _, err := time.Parse(time.RFC3339, hd.MessageTS); err != nil {
		fields["header.message_ts"] = ansinh.MsgG2PTimestamp
	}
	if hd.Action != "resolve" {
		fields["header.action"] = ansinh.MsgG2PAction
	}
	if hd.SenderID == "" {
		fields["header.sender_id"] = ansinh.MsgRequired
	}
	if hd.TotalCount != len(req.Message.Items) {
		fields["header.total_count"] = ansinh.MsgG2PCount
	}
	if len(fields) > 0 {
		return &ansinh.Error{Code: ansinh.EINVALID, Message: ansinh.MsgInvalidInput, Fields: fields}
	}
	now := h.now().UTC().Format(time.RFC3339)
	status, reason := "succ", ""
	var answers []resolveAnswer
	if len(req.Message.Items) > maxResolve {
		status, reason = "rjct", "rjct.total_count.limit_exceeded"
	} else {
		for _, it := range req.Message.Items {
			a, err := h.resolveOne(c, it)
			if err != nil {
				return err
			}
			a.Timestamp = now
			answers = append(answers, a)
		}
	}
	done := len(answers)
	resp := fiber.Map{
		"header": g2pHeader{Version: "1.0.0", MessageID: ansinh.RandomToken(12), MessageTS: now, Action: "on-resolve",
			SenderID: "ansinh", ReceiverID: hd.SenderID, TotalCount: hd.TotalCount, Status: status, Completed: &done, ReasonCode: reason},
		"message": fiber.Map{"transaction_id": req.Message.TransactionID, "correlation_id": ansinh.RandomToken(12), "resolve_response": answers},
	}
	client, _ := c.Locals(localClient).(string)
	if err := h.store.Audit(c.UserContext(), &ansinh.AuditEvent{At: h.now(), Actor: "client:" + client, Action: ansinh.ActionResolve,
		IP: h.clientIP(c), Detail: map[string]any{"items": len(req.Message.Items), "message_id": hd.MessageID}}); err != nil {
		return err
	}
	return c.JSON(resp)
}

func strp(s string) *string { return &s }

// resolveOne answers one item: by person (the account that pays them) or by account
// (the person it pays).
func (h *Handler) resolveOne(c *fiber.Ctx, it resolveItem) (resolveAnswer, error) {
	a := resolveAnswer{ReferenceID: it.ReferenceID, Status: "succ"}
	reject := func(code string) (resolveAnswer, error) {
		a.Status, a.ReasonCode, a.ReasonMsg = "rjct", strp(code), strp(code)
		return a, nil
	}
	if it.ReferenceID == "" || len(it.ReferenceID) > 100 {
		return reject("rjct.reference_id.invalid")
	}
	details := it.Scope != "yes_no"
	switch {
	case it.ID != "":
		m := idRE.FindStringSubmatch(it.ID)
		if m == nil {
			return reject("rjct.id.invalid")
		}
		b, err := h.store.RevealBeneficiary(c.UserContext(), h.store.BeneficiaryID(m[1]))
		switch {
		case ansinh.ErrorCode(err) == ansinh.ENOTFOUND:
			a.ReasonCode = strp("succ.id.not_found")
		case err != nil:
			return a, err
		case b.Account == nil:
			a.ReasonCode = strp("succ.fa.not_linked_to_id")
		default:
			a.ReasonCode = strp("succ.id.active")
			if details {
				bank, _ := ansinh.BankByBIN(b.Account.BankBIN)
				a.ID, a.FA = it.ID, "account:"+b.Account.Number+"@"+b.Account.BankBIN
				a.Provider = &providerInfo{Name: bank.Name, Code: bank.BIN}
			}
		}
	case it.FA != "":
		m := faRE.FindStringSubmatch(it.FA)
		if m == nil {
			return reject("rjct.fa.invalid")
		}
		id, err := h.store.AccountHolderID(c.UserContext(), m[2], m[1])
		switch {
		case ansinh.ErrorCode(err) == ansinh.ENOTFOUND:
			a.ReasonCode = strp("succ.fa.not_found")
		case err != nil:
			return a, err
		default:
			a.ReasonCode = strp("succ.fa.active")
			if details {
				b, err := h.store.RevealBeneficiary(c.UserContext(), id)
				if err != nil {
					return a, err
				}
				a.FA, a.ID = it.FA, "cccd:"+b.CCCD+"@vn"
			}
		}
	default:
		return reject("rjct.id.invalid")
	}
	return a, nil
}
