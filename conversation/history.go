package conversation

import (
	"encoding/json"
	"regexp"
	"strings"

	"ansinh/pii"
)

// The web chat shows the conversation so far, not only the last answer. The turns are
// kept in the state (sealed at rest with the rest of what the person typed), with
// every long number masked: a CCCD, an account or a phone number shows its last four
// digits only, whether the person typed it or the bot repeated it.

// Turn is one message of the conversation as a page shows it again.
type Turn struct {
	Me      bool     `json:"m,omitempty"` // typed by the person
	Text    string   `json:"t"`
	Buttons []Button `json:"b,omitempty"` // the choices offered then (active on the last turn only)
	Phone   string   `json:"p,omitempty"` // the officer's phone, a call button
}

const (
	keyHistory = "history"
	// maxTurns and maxHistoryBytes bound what a conversation keeps: the oldest turns go.
	maxTurns        = 40
	maxHistoryBytes = 16 << 10
)

// longDigits is a run of six digits or more, with the spaces, dots or dashes people
// type inside numbers.
var longDigits = regexp.MustCompile(`\d(?:[ .\-]?\d){5,}`)

// MaskDigits masks every long number of a text, keeping its last four digits.
func MaskDigits(s string) string {
	return longDigits.ReplaceAllStringFunc(s, func(m string) string {
		return pii.Mask(strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m))
	})
}

// History returns the turns kept in a state, oldest first.
func History(st *State) []Turn {
	var turns []Turn
	if raw := st.Data[keyHistory]; raw != "" {
		_ = json.Unmarshal([]byte(raw), &turns) // a damaged history is an empty one
	}
	return turns
}

// record appends the person's message and the replies to the history, masked.
func record(st *State, turns []Turn, said string, replies []Reply) {
	if said = strings.TrimSpace(said); said != "" {
		turns = append(turns, Turn{Me: true, Text: MaskDigits(said)})
	}
	for _, r := range replies {
		text := MaskDigits(r.Text)
		if r.Phone != "" { // the officer's work phone is there to be called, not hidden
			text = strings.ReplaceAll(text, pii.Mask(r.Phone), r.Phone)
		}
		turns = append(turns, Turn{Text: text, Buttons: r.Buttons, Phone: r.Phone})
	}
	if len(turns) > maxTurns {
		turns = turns[len(turns)-maxTurns:]
	}
	for {
		b, err := json.Marshal(turns)
		if err != nil {
			return
		}
		if len(b) <= maxHistoryBytes || len(turns) <= 1 {
			st.Data[keyHistory] = string(b)
			return
		}
		turns = turns[1:]
	}
}

// Transcript is what the web chat page shows: the turns so far, which of them still
// offer their buttons, and whether the answer expected next is a number.
type Transcript struct {
	Turns   []Turn
	Active  int  // the turns from Active on are the latest answers: their buttons work
	Digits  bool // the next answer is a number: a numeric keyboard
	Step    string
	Commune string // the person's commune, once known: whose officer to show
}

// NewTranscript reads a state for the page.
func NewTranscript(st *State) *Transcript {
	t := &Transcript{Turns: History(st), Digits: DigitSteps[st.Step], Step: st.Step, Commune: st.Data[keyCommune]}
	t.Active = len(t.Turns)
	for t.Active > 0 && !t.Turns[t.Active-1].Me {
		t.Active--
	}
	return t
}
