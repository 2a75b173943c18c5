package handlers

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// UserStore is what managing staff accounts needs.
type UserStore interface {
	CreateUser(ctx context.Context, u *ansinh.User) error
	Users(ctx context.Context, units []string) ([]*ansinh.User, error)
}

// CreateUser creates a staff account inside the caller's scope, with a role no higher
// than the caller's.
func (h *Handler) CreateUser(c *fiber.Ctx) error {
	creator := currentUser(c)
	var req ansinh.NewUser
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.Validate(h.units); err != nil {
		return err
	}
	if err := ansinh.AuthorizeCreate(creator, &req, h.units); err != nil {
		return err
	}
	u, err := ansinh.CreateUser(c.UserContext(), h.store, &req, creator.Username, h.now())
	if err != nil {
		return err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionUserCreate, Target: "user:" + u.Username, Unit: u.Unit,
		Detail: map[string]any{"role": string(u.Role)}}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewUser(u))
}

// ListUsers lists the staff accounts in the caller's scope.
func (h *Handler) ListUsers(c *fiber.Ctx) error {
	u := currentUser(c)
	users, err := h.store.Users(c.UserContext(), h.units.Subtree(u.Unit))
	if err != nil {
		return err
	}
	items := make([]userView, 0, len(users))
	for _, x := range users {
		items = append(items, viewUser(x))
	}
	return c.JSON(fiber.Map{"items": items, "total": len(items)})
}

// UnitTree returns the caller's unit with every unit beneath it.
func (h *Handler) UnitTree(c *fiber.Ctx) error {
	u, _ := h.units.Get(currentUser(c).Unit)
	return c.JSON(u)
}
