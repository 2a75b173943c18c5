package handlers

import (
	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// may lets the request through when the user's role may do the action (the one table,
// ansinh.Role.Can); routes.go names the action of every staff route. The handler still
// bounds where (the user's unit) and checks what the action itself requires.
func (h *Handler) may(a ansinh.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if u := currentUser(c); u == nil || !u.Role.Can(a) {
			return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgRoleForbidden)
		}
		return c.Next()
	}
}
