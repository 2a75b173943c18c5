package store_test

import (
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
	"ansinh/store/storetest"
)

// A result stored but whose queue entry a crash lost is put back by the start-up
// sweep, once; its body is sealed at rest and opened for the worker.
func TestG2PCallbackSurvivesACrash(t *testing.T) {
	s := storetest.New(t)
	ctx, now := t.Context(), time.Now()
	s.FailAfterForTest("callback stored")
	if err := s.EnqueueCallback(ctx, "c1", "pay.vn", "https://pay.vn/mapper/on-resolve", []byte(`{"id":"cccd:094050001234@vn"}`), now); err == nil {
		t.Fatal("no injected failure")
	}
	s.FailAfterForTest("")
	if got, _ := s.LeaseCallbacks(ctx, now, time.Minute, 10); len(got) != 0 {
		t.Fatalf("leased without a queue entry: %v", got)
	}
	for want := range []int{1, 0} {
		n, err := s.RequeueCallbacks(ctx, now)
		if err != nil || n != 1-want {
			t.Fatalf("requeue: %d %v", n, err)
		}
	}
	got, err := s.LeaseCallbacks(ctx, now, time.Minute, 10)
	if err != nil || len(got) != 1 || !strings.Contains(string(got[0].Body), "094050001234") {
		t.Fatalf("lease: %v %v", got, err)
	}
	if again, _ := s.LeaseCallbacks(ctx, now, time.Minute, 10); len(again) != 0 {
		t.Fatal("leased twice")
	}
	if err := s.CallbackSent(ctx, "c1", 1, now); err != nil {
		t.Fatal(err)
	}
	if st, n, _, _ := s.CallbackStatus(ctx, "c1"); st != store.CallbackSent || n != 1 {
		t.Fatalf("state %s %d", st, n)
	}
}

// A replayed message id is refused by the insert itself, per sender; a forgotten one
// may be sent again; remembered ids go with PurgeExpired when their time is over.
func TestG2PRememberMessage(t *testing.T) {
	s := storetest.New(t)
	ctx, now := t.Context(), time.Now()
	for _, c := range []struct {
		sender, id string
		fresh      bool
	}{{"a.vn", "m1", true}, {"a.vn", "m1", false}, {"b.vn", "m1", true}, {"a.vn", "m2", true}} {
		if fresh, err := s.RememberMessage(ctx, c.sender, c.id, now, time.Hour); err != nil || fresh != c.fresh {
			t.Fatalf("%v: %v %v", c, fresh, err)
		}
	}
	if err := s.ForgetMessage(ctx, "a.vn", "m2"); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := s.RememberMessage(ctx, "a.vn", "m2", now, time.Hour); !fresh {
		t.Fatal("a forgotten message id still refused")
	}
	if _, err := s.PurgeExpired(ctx, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := s.RememberMessage(ctx, "a.vn", "m1", now, time.Hour); !fresh {
		t.Fatal("an expired message id still remembered")
	}
}

// A client whose token insert landed but whose record did not (a crash between) opens
// nothing, and its sender can be registered again.
func TestG2PClientTokenAlone(t *testing.T) {
	s := storetest.New(t)
	ctx, now := t.Context(), time.Now()
	c := &ansinh.APIClient{SenderID: "pay.vn", Name: "Pay", Units: []string{"94"}, RateLimit: 60, Status: ansinh.ClientActive, CreatedAt: now}
	s.FailAfterForTest("client token")
	if err := s.CreateAPIClient(ctx, c, "token-one-token-one-token-one-token-one"); err == nil {
		t.Fatal("no injected failure")
	}
	s.FailAfterForTest("")
	if _, err := s.APIClientByToken(ctx, "token-one-token-one-token-one-token-one"); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("the orphan token opens: %v", err)
	}
	if err := s.CreateAPIClient(ctx, c, "token-two-token-two-token-two-token-two"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.APIClientByToken(ctx, "token-two-token-two-token-two-token-two"); err != nil || got.SenderID != "pay.vn" {
		t.Fatalf("%v %v", got, err)
	}
	if err := s.CreateAPIClient(ctx, c, "token-three-token-three-token-three"); ansinh.ErrorCode(err) != ansinh.ECONFLICT {
		t.Fatalf("a second client for the sender: %v", err)
	}
	if _, err := s.APIClientByToken(ctx, "token-three-token-three-token-three"); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("the refused client's token opens: %v", err)
	}
}
