package conversation

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// webChat is a chat whose engine keeps the history, as the web chat's does.
func (c *chat) web(text string) *Transcript {
	c.t.Helper()
	c.now = c.now.Add(time.Minute)
	st := c.load()
	e := New(c.svc, func() time.Time { return c.now })
	e.KeepHistory = true
	rs, err := e.Handle(context.Background(), st, Input{Text: text})
	if err != nil {
		c.t.Fatal(err)
	}
	c.save(st)
	c.last = rs
	return NewTranscript(st)
}

var wholeNumber = regexp.MustCompile(`\d{6,}`)

func TestHistoryKeepsTheConversationMasked(t *testing.T) {
	c := newChat(t, newFake())
	c.web(btnRegister)
	c.web(goodCCCD)
	tr := c.web("5/3/1950")
	var said []string
	for _, turn := range tr.Turns {
		if turn.Me {
			said = append(said, turn.Text)
		}
		if wholeNumber.MatchString(turn.Text) {
			t.Errorf("a whole number in the history: %q", turn.Text)
		}
	}
	if len(said) != 3 || said[0] != btnRegister || said[1] != "••••••••1234" || said[2] != "5/3/1950" {
		t.Fatalf("what the person said: %q", said)
	}
	if tr.Active == 0 || tr.Active >= len(tr.Turns) || tr.Turns[tr.Active-1].Me != true {
		t.Fatalf("active from %d of %d", tr.Active, len(tr.Turns))
	}
	if !strings.Contains(tr.Turns[len(tr.Turns)-1].Text, msgAskWho) || len(tr.Turns[len(tr.Turns)-1].Buttons) == 0 {
		t.Fatalf("last turn %+v", tr.Turns[len(tr.Turns)-1])
	}
	// The account number typed later is masked too, with its separators.
	c.web(btnSelf)
	c.web("Agribank")
	tr = c.web("1234 5678 9012")
	for _, turn := range tr.Turns {
		if strings.Contains(turn.Text, "5678") {
			t.Errorf("account digits in the history: %q", turn.Text)
		}
	}
	if tr.Digits {
		t.Error("the holder's name is not a number: no numeric keyboard")
	}
	// Cancelling forgets the history with the rest.
	tr = c.web("hủy")
	if len(tr.Turns) != 2 || !tr.Turns[0].Me {
		t.Fatalf("after cancelling: %+v", tr.Turns)
	}
}

func TestHistoryIsBoundedAndDigitStepsAreKnown(t *testing.T) {
	c := newChat(t, newFake())
	c.web(btnRegister)
	if tr := c.web("xyz"); !tr.Digits {
		t.Error("the CCCD step expects digits")
	}
	for range 60 {
		c.web(strings.Repeat("chữ ", 100))
	}
	st := c.load()
	if n := len(st.Data[keyHistory]); n > maxHistoryBytes {
		t.Fatalf("history of %d bytes", n)
	}
	var turns []Turn
	if err := json.Unmarshal([]byte(st.Data[keyHistory]), &turns); err != nil || len(turns) > maxTurns {
		t.Fatalf("%d turns, %v", len(turns), err)
	}
	// An engine without history keeps none (Zalo shows its own).
	z := newChat(t, newFake())
	z.say(btnRegister)
	if z.load().Data[keyHistory] != "" {
		t.Fatal("history kept without KeepHistory")
	}
}

func TestMaskDigits(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"094050001234", "••••••••1234"},
		{"số 0905 123 456 nhé", "số ••••••••3456 nhé"},
		{"5/3/1950", "5/3/1950"},
		{"mã AB2C3-D4E5F", "mã AB2C3-D4E5F"},
	} {
		if got := MaskDigits(tt.in); got != tt.want {
			t.Errorf("MaskDigits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
