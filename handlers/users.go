package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// UserStore is what managing staff accounts needs.
type UserStore interface {
	CreateUser(ctx context.Context, u *ansinh.User) error
	Users(ctx context.Context, units []string) ([]*ansinh.User, error)
	SetUserPassword(ctx context.Context, username, hash string, mustChange bool, at time.Time) error
	SetUserDisabled(ctx context.Context, username string, disabled bool) error
	DeleteUserSessions(ctx context.Context, username, keepToken string) (int64, error)
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
	if err := h.auditCreate(c, u); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(h.staffView(creator, u))
}

func (h *Handler) auditCreate(c *fiber.Ctx, u *ansinh.User) error {
	detail := map[string]any{"role": string(u.Role)}
	if u.MustChangePassword {
		detail["one_time"] = true
	}
	return h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionUserCreate, Target: "user:" + u.Username, Unit: u.Unit, Detail: detail})
}

// ListUsers lists the staff accounts in the caller's scope.
func (h *Handler) ListUsers(c *fiber.Ctx) error {
	u := currentUser(c)
	users, err := h.scopeUsers(c, u)
	if err != nil {
		return err
	}
	items := make([]staffView, 0, len(users))
	for _, x := range users {
		items = append(items, h.staffView(u, x))
	}
	return c.JSON(fiber.Map{"items": items, "total": len(items)})
}

// scopeUsers are the accounts of the caller's unit and beneath it; for the root's
// officers every account, also one whose unit a change of unit set removed.
func (h *Handler) scopeUsers(c *fiber.Ctx, u *ansinh.User) ([]*ansinh.User, error) {
	var units []string
	if u.Unit != h.units.Root.Code {
		units = h.units.Subtree(u.Unit)
	}
	return h.store.Users(c.UserContext(), units)
}

// UnitTree returns the caller's unit with every unit beneath it; with ?set= the whole
// tree of another unit set (public reference data: its codes mean other units).
func (h *Handler) UnitTree(c *fiber.Ctx) error {
	if id := strings.TrimSpace(c.Query("set")); id != "" && id != h.sets.Current().ID {
		set, ok := h.sets.Get(id)
		if !ok {
			return ansinh.FieldError("set", ansinh.MsgUnitSetUnknown)
		}
		return c.JSON(set.Units.Root)
	}
	u, _ := h.units.Get(currentUser(c).Unit)
	return c.JSON(u)
}

// unitSetView is one unit set as the API lists it.
type unitSetView struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	From    *string `json:"from"`  // YYYY-MM-DD; null: since before anything ansinh knows
	Until   *string `json:"until"` // YYYY-MM-DD, the last day in force; null: still in force
	Current bool    `json:"current"`
	Source  string  `json:"source,omitempty"`
}

// UnitSets is GET /api/v1/unit-sets: every unit set, oldest first.
func (h *Handler) UnitSets(c *fiber.Ctx) error {
	day := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.In(ansinh.Vietnam).Format("2006-01-02")
		return &s
	}
	out := []unitSetView{}
	for _, s := range h.sets.List() {
		out = append(out, unitSetView{ID: s.ID, Name: s.Name, From: day(s.From), Until: day(s.Until),
			Current: s == h.sets.Current(), Source: s.Source})
	}
	return c.JSON(out)
}
