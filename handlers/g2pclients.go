package handlers

import (
	"crypto/ed25519"
	"encoding/base64"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
	"ansinh/g2p"
	"ansinh/mapper"
)

// The admin's API for the mapper's clients: register, list, pause, resume, revoke.

type apiClientView struct {
	SenderID    string    `json:"sender_id"`
	Name        string    `json:"name"`
	Units       []string  `json:"units"`
	Details     bool      `json:"details"`
	RateLimit   int       `json:"rate_limit"`
	KeyID       string    `json:"key_id,omitempty"` // the registered public key's id; none: unsigned
	CallbackURL string    `json:"callback_url,omitempty"`
	Status      string    `json:"status"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func clientView(c *ansinh.APIClient) apiClientView {
	v := apiClientView{SenderID: c.SenderID, Name: c.Name, Units: c.Units, Details: c.Details, RateLimit: c.RateLimit,
		CallbackURL: c.CallbackURL, Status: c.Status, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if len(c.PublicKey) > 0 {
		v.KeyID = g2p.KeyID(ed25519.PublicKey(c.PublicKey))
	}
	if v.Units == nil {
		v.Units = []string{}
	}
	return v
}

// CreateAPIClient is POST /api/v1/api-clients: registers a client; its token is shown
// once, with the key ansinh signs its answers with.
func (h *Handler) CreateAPIClient(c *fiber.Ctx) error {
	u := currentUser(c)
	if !u.Role.Can(ansinh.ActAPIClients) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	var req ansinh.NewAPIClient
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	client, token, err := mapper.RegisterClient(c.UserContext(), h.store, u, h.clientIP(c), &req, h.units, h.now())
	if err != nil {
		return err
	}
	pub := h.g2pKey.Public().(ed25519.PublicKey)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"client": clientView(client), "token": token,
		"ansinh_key": fiber.Map{"kid": h.g2pID + "|" + g2p.KeyID(pub) + "|ed25519", "public_key": base64.StdEncoding.EncodeToString(pub)}})
}

// ListAPIClients is GET /api/v1/api-clients.
func (h *Handler) ListAPIClients(c *fiber.Ctx) error {
	if !currentUser(c).Role.Can(ansinh.ActAPIClients) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	list, err := h.store.APIClients(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]apiClientView, 0, len(list))
	for _, cl := range list {
		items = append(items, clientView(cl))
	}
	return c.JSON(fiber.Map{"items": items, "total": len(items)})
}

// SetAPIClientStatus is POST /api/v1/api-clients/{sender_id}/pause|resume|revoke.
func (h *Handler) SetAPIClientStatus(status string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cl, err := mapper.SetClientStatus(c.UserContext(), h.store, currentUser(c), h.clientIP(c), c.Params("sender"), status, h.now())
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"client": clientView(cl)})
	}
}
