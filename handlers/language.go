package handlers

import (
	"html/template"

	"github.com/gofiber/fiber/v2"

	"ansinh/i18n"
)

// The public pages and the chat in Vietnamese (the default) or Khmer: a link
// ?lang=km (or vi) chooses, a cookie remembers. Switching keeps the answers: the chat's
// conversation is in the store, not in the page.

const langCookie = "ansinh_lang"

// lang is the language of this request's page, and remembers a choice made by link.
func (h *Handler) lang(c *fiber.Ctx) string {
	if q := c.Query("lang"); i18n.Supported(q) {
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600, HTTPOnly: true,
			SameSite: fiber.CookieSameSiteLaxMode, Secure: h.overHTTPS(c)})
		return q
	}
	if v := c.Cookies(langCookie); i18n.Supported(v) {
		return v
	}
	return i18n.VI
}

// pageLanguage is implemented by page data that carries its language.
type pageLanguage interface{ pageLang() string }

func (v chatView) pageLang() string { return v.Lang }

func (f *formView) pageLang() string { return f.Lang }

// langOf is the language of a page's data; Vietnamese unless it says otherwise.
func langOf(bind any) string {
	switch v := bind.(type) {
	case fiber.Map:
		if l, ok := v["Lang"].(string); ok && i18n.Supported(l) {
			return l
		}
	case pageLanguage:
		if l := v.pageLang(); i18n.Supported(l) {
			return l
		}
	}
	return i18n.VI
}

// langLink is one language of the switch; Change keeps a step opened from the check
// page one ("?sua=1").
type langLink struct {
	Code, Name string
	Current    bool
	Change     bool
}

// langSwitch is the switch of a page that offers it (the start page, the chat).
func langSwitch(bind any) []langLink {
	offered, change := false, false
	switch v := bind.(type) {
	case fiber.Map:
		offered, _ = v["Switch"].(bool)
	case chatView:
		offered = true
	case *formView: // every page of the registration, from the commune's QR code to the receipt
		offered = v.Lang != ""
		change = v.Change
	}
	if !offered {
		return nil
	}
	cur := langOf(bind)
	var out []langLink
	for _, l := range []string{i18n.VI, i18n.KM} {
		out = append(out, langLink{Code: l, Name: i18n.Names[l], Current: l == cur, Change: change})
	}
	return out
}

// languageFuncs are the templates' functions of the language: tr (a text by id, with
// arguments), trv (a Vietnamese message, as the chat's catalog translates it), vi,
// langOf and langSwitch.
func languageFuncs() map[string]any {
	return map[string]any{
		"tr": func(bind any, id string, args ...any) string {
			if len(args) == 0 {
				return i18n.T(langOf(bind), id)
			}
			return i18n.Tf(langOf(bind), id, args...)
		},
		"trv": func(bind any, text string) string { return i18n.Chat(langOf(bind), text) },
		// vi marks a Vietnamese name (a person's, a bank's) on a page in another
		// language, for screen readers and for the check that no Vietnamese text leaks.
		"vi": func(bind any) template.HTMLAttr {
			if langOf(bind) != i18n.VI {
				return ` lang="vi"`
			}
			return ""
		},
		"langOf":     langOf,
		"langSwitch": langSwitch,
	}
}
