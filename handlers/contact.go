package handlers

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"golang.org/x/sync/singleflight"

	"ansinh"
)

// A person on every page: each commune's contact (the officer's name, work phone and
// office hours), kept by its officer on a settings page, shown in the footer of every
// public page that knows its commune, on error pages, the poster, the notice cards
// and in the chat's "gặp cán bộ". The root unit's contact is the city-level line,
// shown where the commune is unknown, and carries the Zalo OA's follow link.

// ContactStore keeps the units' contacts, by unit code.
type ContactStore interface {
	Contact(ctx context.Context, unit string) (*ansinh.Contact, error)
	Contacts(ctx context.Context) ([]*ansinh.Contact, error)
	SaveContact(ctx context.Context, c *ansinh.Contact) error
}

// contactTTL is how long this instance trusts its copy of the contacts: a change made
// on another instance shows here after at most this long.
const contactTTL = 30 * time.Second

// contactBook is this instance's copy of every contact: every public page shows one,
// and the templates that do cannot reach the store, so a middleware keeps the copy
// fresh (with the request's context) before the page renders.
type contactBook struct {
	mu     sync.RWMutex
	byUnit map[string]*ansinh.Contact
	loaded time.Time
	reload singleflight.Group // the requests that find it stale share one reload
}

func newContactBook() *contactBook { return &contactBook{byUnit: map[string]*ansinh.Contact{}} }

func (b *contactBook) get(unit string) *ansinh.Contact {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.byUnit[unit]
}

func (b *contactBook) put(c *ansinh.Contact) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.byUnit[c.Unit] = c
}

// expire makes the next refresh reload.
func (b *contactBook) expire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.loaded = time.Time{}
}

func (b *contactBook) stale(now time.Time) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.loaded.IsZero() || now.Sub(b.loaded) > contactTTL || now.Before(b.loaded)
}

// refresh reloads the copy when it is stale. A store that does not answer leaves
// the old copy: a page with yesterday's phone beats an error page.
func (h *Handler) refreshContacts(ctx context.Context) {
	if !h.contacts.stale(h.now()) {
		return
	}
	_, _, _ = h.contacts.reload.Do("contacts", func() (any, error) {
		if !h.contacts.stale(h.now()) { // reloaded while this one waited
			return nil, nil
		}
		list, err := h.store.Contacts(ctx)
		if err != nil {
			h.log.Warn("contacts: reload", "err", err)
			return nil, nil
		}
		m := make(map[string]*ansinh.Contact, len(list))
		for _, c := range list {
			m[c.Unit] = c
		}
		h.contacts.mu.Lock()
		h.contacts.byUnit, h.contacts.loaded = m, h.now()
		h.contacts.mu.Unlock()
		return nil, nil
	})
}

// withContacts keeps the contacts fresh for the pages people read (not the API, the
// webhooks, the assets or the probes).
func (h *Handler) withContacts(c *fiber.Ctx) error {
	p := c.Path()
	for _, prefix := range []string{"/api/", "/static/", "/webhooks/", "/g2p/", "/healthz", "/readyz", "/metrics", "/qr/"} {
		if strings.HasPrefix(p, prefix) {
			return c.Next()
		}
	}
	h.refreshContacts(c.UserContext())
	return c.Next()
}

// contactView is what a page says about whom to call.
type contactView struct {
	Name, Phone, Hours string
	Place              string // the commune's name; "" for the city-level line
	Fallback           string // no one to call: the neutral text instead
	ZaloOA             string // the OA's follow link, when configured
}

// contactFor is the contact people of a commune are told to call: the commune's, or
// the city-level line, or the neutral text. commune may be "".
func (h *Handler) contactFor(commune string) *contactView {
	v := &contactView{}
	if root := h.contacts.get(h.units.Root.Code); root != nil {
		v.ZaloOA = root.ZaloOA
	}
	if u, ok := h.units.Get(commune); ok && u.Leaf() {
		if c := h.contacts.get(commune); !c.Empty() {
			v.Name, v.Phone, v.Hours, v.Place = c.Name, c.Phone, c.Hours, u.Name
			return v
		}
	}
	if c := h.contacts.get(h.units.Root.Code); !c.Empty() {
		v.Name, v.Phone, v.Hours = c.Name, c.Phone, c.Hours
		return v
	}
	v.Fallback = ansinh.MsgContactFallback
	return v
}

// contactUnit is implemented by the page data that knows its commune.
type contactUnit interface{ contactCommune() string }

func (f *formView) contactCommune() string {
	switch {
	case f.Commune != nil:
		return f.Commune.Code
	case f.Beneficiary != nil:
		return f.Beneficiary.Commune
	}
	return ""
}

// pageContact is the layout's "contact" function: the contact for the page's data,
// nil on staff pages (they have a user) and on pages that say so.
func (h *Handler) pageContact(bind any) *contactView {
	switch v := bind.(type) {
	case fiber.Map:
		if u, _ := v["User"].(*ansinh.User); u != nil {
			return nil
		}
		if cv, ok := v["Contact"].(*contactView); ok {
			return cv
		}
		if code, ok := v["ContactUnit"].(string); ok {
			return h.contactFor(code)
		}
		if u, ok := v["Commune"].(*ansinh.Unit); ok && u != nil {
			return h.contactFor(u.Code)
		}
		return h.contactFor("")
	case contactUnit:
		return h.contactFor(v.contactCommune())
	}
	return h.contactFor("")
}

// ContactPage is /can-bo/lien-he?unit=: the contact of the officer's unit, or of a
// unit below it; province and district officers see the list of their communes.
func (h *Handler) ContactPage(c *fiber.Ctx) error {
	u := currentUser(c)
	unit := c.Query("unit", u.Unit)
	data := h.contactData(c, unit)
	if _, ok := h.units.Get(unit); !ok || !u.Sees(h.units, unit) {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	data["Notice"] = h.takeFlash(c)
	ct, err := h.store.Contact(c.UserContext(), unit)
	switch ansinh.ErrorCode(err) {
	case "":
		data["Values"] = map[string]string{"name": ct.Name, "phone": ct.Phone, "hours": ct.Hours, "zalo_oa": ct.ZaloOA}
		data["Updated"] = ct
	case ansinh.ENOTFOUND:
	default:
		return err
	}
	return c.Render("contact_settings", data)
}

// contactRow is one unit of the settings page's list.
type contactRow struct {
	Unit    *ansinh.Unit
	Contact *ansinh.Contact
}

func (h *Handler) contactData(c *fiber.Ctx, unit string) fiber.Map {
	u := currentUser(c)
	target, _ := h.units.Get(unit)
	data := fiber.Map{"Title": "Thông tin liên hệ cho người dân", "User": u, "Unit": target, "Values": map[string]string{},
		"Errors": map[string]string{}, "Root": target != nil && target.Parent == ""}
	if own, ok := h.units.Get(u.Unit); ok && !own.Leaf() {
		h.refreshContacts(c.UserContext())
		var rows []contactRow
		for _, code := range h.units.Subtree(u.Unit) {
			x, _ := h.units.Get(code)
			if x.Leaf() || x.Parent == "" || code == u.Unit {
				rows = append(rows, contactRow{Unit: x, Contact: h.contacts.get(code)})
			}
		}
		data["Rows"] = rows
	}
	return data
}

// ContactForm saves a unit's contact: audited, then back to the page (post/redirect/get).
func (h *Handler) ContactForm(c *fiber.Ctx) error {
	u := currentUser(c)
	unit := utils.CopyString(c.FormValue("unit", u.Unit))
	target, ok := h.units.Get(unit)
	if !ok || !u.Sees(h.units, unit) {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	ct := &ansinh.Contact{Unit: unit, Name: utils.CopyString(c.FormValue("name")), Phone: utils.CopyString(c.FormValue("phone")),
		Hours: utils.CopyString(c.FormValue("hours"))}
	if target.Parent == "" {
		ct.ZaloOA = utils.CopyString(c.FormValue("zalo_oa"))
	}
	if e := ansinh.NormalizeContact(ct); e != nil {
		data := h.contactData(c, unit)
		data["Values"] = map[string]string{"name": ct.Name, "phone": c.FormValue("phone"), "hours": ct.Hours, "zalo_oa": ct.ZaloOA}
		data["Errors"] = e.Fields
		data["Message"] = ansinh.MsgInvalidInput
		return c.Status(fiber.StatusUnprocessableEntity).Render("contact_settings", data)
	}
	ct.UpdatedBy, ct.UpdatedAt = u.Username, h.now()
	if err := h.store.SaveContact(c.UserContext(), ct); err != nil {
		return err
	}
	// The detail names what changed, not the phone itself: the trail is read widely.
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionContactUpdate, Target: "unit:" + unit, Unit: unit,
		Detail: map[string]any{"name": ct.Name != "", "phone": ct.Phone != "", "hours": ct.Hours != "", "zalo_oa": ct.ZaloOA != ""}}); err != nil {
		return err
	}
	h.contacts.put(ct)
	h.setFlash(c, ansinh.MsgContactSaved)
	return c.Redirect("/can-bo/lien-he?unit="+urlQueryEscape(unit), fiber.StatusSeeOther)
}

// pageFuncs are the template functions that need the handler: the layout's contact.
func (h *Handler) pageFuncs() map[string]any {
	funcs := languageFuncs()
	funcs["contact"] = h.pageContact
	return funcs
}
