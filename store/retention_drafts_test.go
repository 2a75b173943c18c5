package store_test

import (
	"testing"
	"time"

	"ansinh"
	"ansinh/store/storetest"
)

// TestRetentionDeletesExpiredDrafts: the retention run deletes the web form's drafts
// past their expiry and the authorisation photos beside them (and a photo whose draft
// is gone); a draft still being answered keeps its photo, however old the photo; the
// chat's conversations keep their own period.
func TestRetentionDeletesExpiredDrafts(t *testing.T) {
	s := storetest.New(t)
	now := time.Now()
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	draft := func(id string) string { return ansinh.FormDraftPrefix + id }
	photo := func(id string) string { return ansinh.FormDraftPrefix + id + ansinh.FormDraftPhotoSuffix }
	docs := []struct {
		id   string
		at   time.Time
		kept bool
	}{
		{draft("abandoned0000000000000"), ago(ansinh.FormDraftTTL + time.Minute), false},
		{photo("abandoned0000000000000"), ago(ansinh.FormDraftTTL + 20*time.Minute), false},
		{draft("submitted0000000000000"), ago(3 * time.Hour), false},
		{photo("orphan0000000000000000"), ago(2 * time.Hour), false},
		{draft("living000000000000000a"), ago(10 * time.Minute), true},
		{photo("living000000000000000a"), ago(ansinh.FormDraftTTL + 10*time.Minute), true},
		{"zalo:someone", ago(2 * time.Hour), true},
		{"web:someone", ago(29 * 24 * time.Hour), true},
	}
	for _, d := range docs {
		data := map[string]string{"bid": "x", "account_number": "123456789012"}
		if d.id == draft("submitted0000000000000") {
			data["receipt"] = "AB2C3D4E5F"
		}
		if err := s.SaveConversation(ctx(t), d.id, "form", data, d.at); err != nil {
			t.Fatal(err)
		}
	}
	dry, err := s.ApplyRetention(ctx(t), retentionPolicy, now, true)
	if err != nil {
		t.Fatal(err)
	}
	if dry.Drafts != 2 || dry.DraftPhotos != 2 || dry.Conversations != 0 {
		t.Fatalf("dry run: %+v, want 2 drafts and 2 photos, no chat", dry)
	}
	for _, d := range docs {
		if _, _, at, _ := s.Conversation(ctx(t), d.id); at.IsZero() {
			t.Fatalf("the dry run deleted %s", d.id)
		}
	}
	rep, err := s.ApplyRetention(ctx(t), retentionPolicy, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Drafts != 2 || rep.DraftPhotos != 2 || rep.Conversations != 0 {
		t.Fatalf("run: %+v, want 2 drafts and 2 photos, no chat", rep)
	}
	for _, d := range docs {
		_, data, at, err := s.Conversation(ctx(t), d.id)
		if err != nil {
			t.Fatal(err)
		}
		if kept := !at.IsZero() && data["account_number"] != ""; kept != d.kept {
			t.Errorf("%s (last saved %s ago): kept %v, want %v", d.id, now.Sub(d.at).Round(time.Minute), kept, d.kept)
		}
	}
	again, err := s.ApplyRetention(ctx(t), retentionPolicy, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if again.Drafts != 0 || again.DraftPhotos != 0 {
		t.Fatalf("a second run deleted again: %+v", again)
	}
}
