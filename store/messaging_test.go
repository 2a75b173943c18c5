package store_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ansinh/store"
	"ansinh/store/storetest"
)

// beforeSealing is the schema version before the step that seals chat data (9).
const beforeSealing = 8

// The personal numbers of these tests: they must never be found in a stored document.
const (
	chatCCCD    = "094188007711"
	chatAccount = "0771100998877"
	chatPhone   = "0977110088"
)

// rawHasClear reports whether any stored document of collection id holds one of the
// numbers in clear.
func rawHasClear(t *testing.T, s *store.Store, collection, id string) string {
	t.Helper()
	raw, err := s.RawForTest(ctx(t), collection, id)
	if err != nil {
		t.Fatalf("%s %s: %v", collection, id, err)
	}
	for _, n := range []string{chatCCCD, chatAccount, chatPhone} {
		if bytes.Contains(raw, []byte(n)) {
			return n
		}
	}
	return ""
}

func TestChatStateEventsAndOutboxAreSealed(t *testing.T) {
	s := storetest.New(t)
	now := time.Now()
	data := map[string]string{"commune": "31498", "beneficiary_id": "b1", "cccd": chatCCCD, "account_number": chatAccount, "phone": chatPhone}
	if err := s.SaveConversation(ctx(t), "zalo:u1", "bank", data, now); err != nil {
		t.Fatal(err)
	}
	body := `{"event_name":"user_send_text","message":{"text":"` + chatCCCD + `"}}`
	if _, err := s.SaveEvent(ctx(t), "ev1", "u1", []byte(body), now); err != nil {
		t.Fatal(err)
	}
	payload := `{"user_id":"u1","text":"Số tài khoản: ` + chatAccount + `"}`
	if err := s.Enqueue(ctx(t), "zalo:1", "zalo", "u1", []byte(payload), now); err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct{ col, id string }{{"conversations", "zalo:u1"}, {"chat_events", "ev1"}, {"outbox", "zalo:1"}} {
		if n := rawHasClear(t, s, d.col, d.id); n != "" {
			t.Errorf("%s %s holds %s in clear", d.col, d.id, n)
		}
	}
	// What was stored reads back whole.
	_, got, _, err := s.Conversation(ctx(t), "zalo:u1")
	if err != nil || len(got) != len(data) || got["cccd"] != chatCCCD || got["phone"] != chatPhone || got["commune"] != "31498" {
		t.Fatalf("conversation %v, %v", got, err)
	}
	raw, _ := s.RawForTest(ctx(t), "conversations", "zalo:u1")
	if c, _ := raw.LookupErr("data", "commune"); c.StringValue() != "31498" {
		t.Fatalf("the commune is not in clear for the unit migration: %s", raw)
	}
	events, err := s.PendingEvents(ctx(t), now, time.Minute, 10)
	if err != nil || len(events) != 1 || string(events[0].Body) != body {
		t.Fatalf("events %+v, %v", events, err)
	}
	msgs, err := s.LeaseOutbox(ctx(t), now, time.Minute, 10)
	if err != nil || len(msgs) != 1 || string(msgs[0].Payload) != payload {
		t.Fatalf("outbox %+v, %v", msgs, err)
	}
	// A sent message keeps no text at all.
	if err := s.Sent(ctx(t), "zalo:1", "m1", now); err != nil {
		t.Fatal(err)
	}
	raw, _ = s.RawForTest(ctx(t), "outbox", "zalo:1")
	if _, err := raw.LookupErr("payload_enc"); err == nil {
		t.Fatalf("a sent message keeps its text: %s", raw)
	}
}

// TestMigrationSealsChatStoredInClear stores chat data as builds before schema 9 did,
// runs the step again, and finds it sealed, readable, and the sent text gone.
func TestMigrationSealsChatStoredInClear(t *testing.T) {
	s := storetest.New(t)
	now := time.Now().Truncate(time.Millisecond)
	data := map[string]string{"commune": "31498", "beneficiary_id": "b1", "cccd": chatCCCD, "account_number": chatAccount, "phone": chatPhone}
	body := `{"message":{"text":"` + chatPhone + `"}}`
	payload := `{"user_id":"u1","text":"` + chatAccount + `"}`
	if err := s.InsertLegacyChatForTest(ctx(t), "zalo:old", data, "ev-old", body, "zalo:old:1", "zalo:old:2", payload, now); err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct{ col, id string }{{"conversations", "zalo:old"}, {"chat_events", "ev-old"}, {"outbox", "zalo:old:1"}} {
		if rawHasClear(t, s, d.col, d.id) == "" {
			t.Fatalf("the legacy %s was not stored in clear", d.col)
		}
	}
	if err := s.SetSchemaVersionForTest(ctx(t), beforeSealing); err != nil {
		t.Fatal(err)
	}
	again := storetest.Reopen(t, s, "")
	if n := again.SealedForTest(); n != 4 {
		t.Errorf("sealed %d documents, want 4 (a conversation, an event, two messages)", n)
	}
	for _, d := range []struct{ col, id string }{{"conversations", "zalo:old"}, {"chat_events", "ev-old"}, {"outbox", "zalo:old:1"}, {"outbox", "zalo:old:2"}} {
		if n := rawHasClear(t, again, d.col, d.id); n != "" {
			t.Errorf("after the migration %s %s holds %s in clear", d.col, d.id, n)
		}
	}
	step, got, updated, err := again.Conversation(ctx(t), "zalo:old")
	if err != nil || step != "bank" || !updated.Equal(now) || len(got) != len(data) || got["account_number"] != chatAccount {
		t.Fatalf("conversation after the migration: %s %v %v %v", step, got, updated, err)
	}
	raw, _ := again.RawForTest(ctx(t), "chat_events", "ev-old")
	if _, err := raw.LookupErr("body"); err == nil {
		t.Fatalf("the clear body is still there: %s", raw)
	}
	msgs, err := again.LeaseOutbox(ctx(t), now, time.Minute, 10)
	if err != nil || len(msgs) != 1 || string(msgs[0].Payload) != payload {
		t.Fatalf("the pending message after the migration: %+v, %v", msgs, err)
	}
	raw, _ = again.RawForTest(ctx(t), "outbox", "zalo:old:2")
	for _, field := range []string{"payload", "payload_enc"} {
		if _, err := raw.LookupErr(field); err == nil {
			t.Fatalf("the sent message keeps its text (%s): %s", field, raw)
		}
	}
	// Run once more: nothing left to seal.
	if err := again.SetSchemaVersionForTest(ctx(t), beforeSealing); err != nil {
		t.Fatal(err)
	}
	if n := storetest.Reopen(t, s, "").SealedForTest(); n != 0 {
		t.Fatalf("a second run sealed %d documents", n)
	}
}

// TestMigrationScrubsTheEmbeddedFiles: after sealing chat data older builds kept in
// clear, nothing of the clear text is left in the store's files (free pages, the
// write-ahead log).
func TestMigrationScrubsTheEmbeddedFiles(t *testing.T) {
	dir := t.TempDir()
	opts := store.Options{DataDir: dir, EmbeddedAddr: "127.0.0.1:0", DBName: "ansinh", Logger: storetest.Logger(), Vault: storetest.Vault(t)}
	s, err := store.Open(ctx(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	data := map[string]string{"commune": "31498", "cccd": chatCCCD, "account_number": chatAccount}
	if err := s.InsertLegacyChatForTest(ctx(t), "zalo:old", data, "ev-old", `{"text":"`+chatPhone+`"}`, "zalo:o1", "zalo:o2",
		`{"text":"`+chatAccount+`"}`, now); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSchemaVersionForTest(ctx(t), beforeSealing); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if clear := filesHolding(t, dir, chatCCCD, chatAccount, chatPhone); len(clear) == 0 {
		t.Fatal("the legacy documents are not in the files in clear: the test proves nothing")
	}
	s, err = store.Open(ctx(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if clear := filesHolding(t, dir, chatCCCD, chatAccount, chatPhone); len(clear) > 0 {
		t.Fatalf("after the migration: %v", clear)
	}
	if _, got, _, err := s.Conversation(ctx(t), "zalo:old"); err != nil || got["cccd"] != chatCCCD {
		t.Fatalf("conversation %v, %v", got, err)
	}
}

// filesHolding lists "file: number" for every file under dir holding a number in clear.
func filesHolding(t *testing.T, dir string, numbers ...string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range numbers {
			if bytes.Contains(b, []byte(n)) {
				out = append(out, filepath.Base(path)+": "+n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
