package handlers

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// A person of a split old commune (an older list's Bùi Hữu Nghĩa, Long Tuyền or Thốt
// Nốt) is imported with no commune and the candidates the crosswalk gives; an officer of
// a candidate commune, who knows the village, chooses ("cần chọn xã").

// managesBeneficiaries reports whether the user's role decides on people's records
// (eligibility, the commune of a split old commune): the commune officer, and the
// district officer where a unit set has districts.
func managesBeneficiaries(u *ansinh.User) bool {
	return u.Role.Can(ansinh.ActManage)
}

type communeRequest struct {
	Commune string `json:"commune"`
}

// ChooseCommune settles the commune of a person who waits for it.
func (h *Handler) ChooseCommune(c *fiber.Ctx) error {
	var req communeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	b, err := h.chooseCommune(c, req.Commune)
	if err != nil {
		return err
	}
	return c.JSON(h.viewBeneficiary(b))
}

func (h *Handler) chooseCommune(c *fiber.Ctx, commune string) (*ansinh.Beneficiary, error) {
	u := currentUser(c)
	if !managesBeneficiaries(u) {
		return nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return nil, err
	}
	commune = strings.TrimSpace(commune)
	switch {
	case !b.Waiting():
		return nil, ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgCommuneChosen)
	case commune == "":
		return nil, ansinh.FieldError("commune", ansinh.MsgRequired)
	case !slices.Contains(b.Candidates, commune):
		return nil, ansinh.FieldError("commune", ansinh.MsgCommuneNotCandidate)
	}
	before, err := h.store.ChooseCommune(c.UserContext(), b.ID, commune, u.Username, h.now())
	if err != nil {
		return nil, err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionCommuneChoose, Target: "beneficiary:" + b.ID, Unit: commune,
		Detail: map[string]any{"from": before.Candidates, "chosen": commune, "old_commune": before.OldCommune,
			"old_unit_set": before.OldUnitSet}}); err != nil {
		return nil, err
	}
	b.Commune, b.Candidates = commune, nil
	return b, nil
}

// waitingCount is how many people wait for a commune with a candidate in the user's
// unit. The counter of the waiting answers "none" without touching the records.
func (h *Handler) waitingCount(ctx context.Context, u *ansinh.User) (int64, error) {
	counts, err := h.store.Counts(ctx)
	if err != nil || counts[ansinh.UnassignedKey].Beneficiaries == 0 {
		return 0, err
	}
	return h.store.CountWaiting(ctx, h.units.Leaves(u.Unit))
}

// WaitingPage lists the people of the officer's unit who wait for their commune, each
// with a choice of its candidates.
func (h *Handler) WaitingPage(c *fiber.Ctx) error {
	return h.renderWaiting(c, fiber.StatusOK, "", h.takeFlash(c))
}

// ChooseCommuneForm records one officer's choice from the waiting list.
func (h *Handler) ChooseCommuneForm(c *fiber.Ctx) error {
	b, err := h.chooseCommune(c, c.FormValue("commune"))
	if err != nil {
		status, e := classify(err)
		if status >= 500 || status == fiber.StatusNotFound || status == fiber.StatusForbidden {
			return err
		}
		return h.renderWaiting(c, status, pageMessage(e), "")
	}
	name := b.Commune
	if u, ok := h.units.Get(b.Commune); ok {
		name = u.Name
	}
	h.setFlash(c, fmt.Sprintf(ansinh.MsgCommuneChosenNotice, name))
	return c.Redirect("/can-bo/can-chon-xa", fiber.StatusSeeOther)
}

func (h *Handler) renderWaiting(c *fiber.Ctx, status int, message, notice string) error {
	u := currentUser(c)
	page := 1
	if p := c.Query("page"); p != "" {
		if n, err := strconv.Atoi(p); err == nil && n >= 1 && n <= 100000 {
			page = n
		}
	}
	q := ansinh.BeneficiaryQuery{Communes: h.units.Leaves(u.Unit), Waiting: true, Skip: int64(page-1) * pageSize, Limit: pageSize}
	items, total, err := h.beneficiaryPage(c, q)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Người cần chọn xã, phường", "User": u, "Items": items, "Total": total, "Page": page,
		"CanChoose": managesBeneficiaries(u), "Message": message, "Notice": notice}
	link := func(p int) string { return "/can-bo/can-chon-xa?" + url.Values{"page": {strconv.Itoa(p)}}.Encode() }
	if page > 1 {
		data["Prev"] = link(page - 1)
	}
	if int64(page)*pageSize < total {
		data["Next"] = link(page + 1)
	}
	return c.Status(status).Render("waiting", data)
}
