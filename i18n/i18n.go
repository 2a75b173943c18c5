// Package i18n gives the public pages and the chat a second language beside
// Vietnamese: Khmer, spoken by about a third of the former Sóc Trăng. Vietnamese is
// the default and the fallback: a text missing from a catalog shows in Vietnamese.
//
// Two kinds of keys. The pages' texts have ids ("start.title"), with the Vietnamese
// in vi.go and the translation in km.go. The chat's messages are keyed by their
// Vietnamese text itself, as gettext does, line by line, and formats ("Đã ghi số
// CCCD %s.") match the lines they produced: the conversation engine stays written in
// Vietnamese and its replies are translated on the way out.
package i18n

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Languages.
const (
	VI = "vi"
	KM = "km"
)

// Supported reports whether lang is a language of the catalogs.
func Supported(lang string) bool { return lang == VI || lang == KM }

// Names are the languages as the switch shows them, each in its own language.
var Names = map[string]string{VI: "Tiếng Việt", KM: "ភាសាខ្មែរ"}

// T is the page text id in lang, else in Vietnamese, else the id itself (a missing
// id shows, so a test finds it).
func T(lang, id string) string {
	if lang == KM {
		if s, ok := km[id]; ok {
			return s
		}
	}
	if s, ok := vi[id]; ok {
		return s
	}
	return id
}

// Tf is T with fmt.Sprintf's arguments.
func Tf(lang, id string, args ...any) string { return fmt.Sprintf(T(lang, id), args...) }

// pattern is a Vietnamese format line and its translation.
type pattern struct {
	re      *regexp.Regexp
	to      string
	literal int
}

var (
	chatLines    = map[string]string{} // exact Vietnamese line → translation
	chatPatterns []pattern
	verb         = regexp.MustCompile(`%[sdv]`)
)

// RegisterChat adds chat messages in Khmer, keyed by their Vietnamese text (the
// constants of the package that writes them, so that a changed Vietnamese text is
// missed, not mistranslated). Called from the packages' init.
func RegisterChat(m map[string]string) {
	for vi, km := range m {
		vs, ks := strings.Split(vi, "\n"), strings.Split(km, "\n")
		if len(vs) != len(ks) {
			panic("i18n: the translation of " + fmt.Sprintf("%q", vi) + " has another number of lines")
		}
		for i, v := range vs {
			if !verb.MatchString(v) {
				chatLines[v] = ks[i]
				continue
			}
			parts := verb.Split(v, -1)
			for j := range parts {
				parts[j] = regexp.QuoteMeta(parts[j])
			}
			chatPatterns = append(chatPatterns, pattern{re: regexp.MustCompile("^" + strings.Join(parts, "(.*?)") + "$"),
				to: verb.ReplaceAllString(ks[i], "%s"), literal: len(verb.ReplaceAllString(v, ""))})
		}
	}
	// The most specific format first: the one with the most fixed text.
	sort.SliceStable(chatPatterns, func(i, j int) bool { return chatPatterns[i].literal > chatPatterns[j].literal })
}

// Chat translates a chat text into lang, line by line; a line without a translation
// stays in Vietnamese.
func Chat(lang, text string) string {
	if lang != KM || text == "" {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = chatLine(l)
	}
	return strings.Join(lines, "\n")
}

func chatLine(l string) string {
	if s, ok := chatLines[l]; ok {
		return s
	}
	for _, p := range chatPatterns {
		if m := p.re.FindStringSubmatch(l); m != nil {
			args := make([]any, len(m)-1)
			for i, a := range m[1:] {
				if s, ok := chatLines[a]; ok { // a nested message; a bank's name or a number stays
					a = s
				}
				args[i] = a
			}
			return fmt.Sprintf(p.to, args...)
		}
	}
	return l
}
