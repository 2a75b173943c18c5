package handlers

import (
	"context"
	"encoding/base64"
	"maps"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// A registration in progress is a draft on the server: the proven beneficiary and the
// answers so far, sealed at rest like the chat's state (it is kept in the same
// collection, under "form:<id>"), and deleted by the retention run once expired. The browser holds only the
// draft's random id, in the page's address; nothing personal travels in the pages.

// FormDraftStore keeps the form's drafts.
type FormDraftStore interface {
	Conversation(ctx context.Context, id string) (step string, data map[string]string, updated time.Time, err error)
	SaveConversation(ctx context.Context, id, step string, data map[string]string, updated time.Time) error
	SaveAuthorisation(ctx context.Context, a *ansinh.Authorisation) error
}

// draftTTL is how long a draft waits for its next answer; the retention run deletes
// it after that (store.ApplyRetention).
const draftTTL = ansinh.FormDraftTTL

const (
	draftPrefix = ansinh.FormDraftPrefix
	draftStep   = "form"
	// photoSuffix names the draft's second document: the authorisation's photo, kept
	// apart so that each page does not open it.
	photoSuffix = ansinh.FormDraftPhotoSuffix
)

// formDraft is a draft as the handlers use it.
type formDraft struct {
	ID string
	V  map[string]string // the answers, under the form's field names
	B  *ansinh.Beneficiary
}

func (d *formDraft) proxy() bool { return d.V["submitter"] == ansinh.SubmitterProxy }

// startDraft opens a draft for a beneficiary who just proved who they are, and sends
// the browser to the first question.
func (h *Handler) startDraft(c *fiber.Ctx, b *ansinh.Beneficiary) error {
	d := &formDraft{ID: ansinh.RandomToken(16), B: b, V: map[string]string{
		"bid": b.ID, "idempotency_key": ansinh.RandomToken(16)}}
	if err := h.saveDraft(c, d); err != nil {
		return err
	}
	return c.Redirect(d.path(stepWho), fiber.StatusSeeOther)
}

func (d *formDraft) path(step string) string { return "/dang-ky/" + d.ID + "/" + step }

// loadDraft reads the draft the address names; a missing or stale one is EINVALID,
// which the pages answer with "start again".
func (h *Handler) loadDraft(c *fiber.Ctx) (*formDraft, error) {
	id := c.Params("draft")
	if len(id) != 22 {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgSessionExpired)
	}
	_, data, updated, err := h.store.Conversation(c.UserContext(), draftPrefix+id)
	if err != nil {
		return nil, err
	}
	if data["bid"] == "" || h.now().Sub(updated) > draftTTL {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgSessionExpired)
	}
	b, err := h.store.Beneficiary(c.UserContext(), data["bid"])
	if err != nil {
		return nil, err
	}
	return &formDraft{ID: id, V: data, B: b}, nil
}

func (h *Handler) saveDraft(c *fiber.Ctx, d *formDraft) error {
	return h.store.SaveConversation(c.UserContext(), draftPrefix+d.ID, draftStep, d.V, h.now())
}

// savePhoto keeps the authorisation's photo beside the draft.
func (h *Handler) savePhoto(c *fiber.Ctx, d *formDraft, contentType string, img []byte) error {
	return h.store.SaveConversation(c.UserContext(), draftPrefix+d.ID+photoSuffix, draftStep, map[string]string{
		"type": contentType, "image": base64.StdEncoding.EncodeToString(img)}, h.now())
}

// photo returns the draft's authorisation photo, if one was taken.
func (h *Handler) photo(c *fiber.Ctx, d *formDraft) (string, []byte, error) {
	if d.V["auth_photo"] != "1" {
		return "", nil, nil
	}
	_, data, _, err := h.store.Conversation(c.UserContext(), draftPrefix+d.ID+photoSuffix)
	if err != nil {
		return "", nil, err
	}
	img, err := base64.StdEncoding.DecodeString(data["image"])
	if err != nil || len(img) == 0 {
		return "", nil, nil // gone with the chat's retention: the paper is still seen at the commune
	}
	return data["type"], img, nil
}

// values are the draft's answers for a page to show (a copy: the page may add to it).
func (d *formDraft) values() map[string]string {
	v := maps.Clone(d.V)
	delete(v, "bid")
	return v
}
