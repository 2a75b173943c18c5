package store_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"ansinh"
	"ansinh/registration"
	"ansinh/store"
	"ansinh/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestMigrationsRecordVersionAndAreIdempotent(t *testing.T) {
	s := storetest.New(t)
	v, err := s.Version(ctx(t))
	if err != nil || v != store.SchemaVersion() {
		t.Fatalf("version = %d, %v; want %d", v, err, store.SchemaVersion())
	}
}

func TestUsers(t *testing.T) {
	s := storetest.New(t)
	has, err := s.HasAdmin(ctx(t))
	if err != nil || has {
		t.Fatalf("HasAdmin on empty store = %v, %v", has, err)
	}
	u := &ansinh.User{Username: "admin", Role: ansinh.RoleAdmin, Unit: "94", PasswordHash: "h", CreatedAt: time.Now()}
	if err := s.CreateUser(ctx(t), u); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx(t), u); ansinh.ErrorCode(err) != ansinh.ECONFLICT {
		t.Fatalf("second insert: %v, want conflict", err)
	}
	if has, _ := s.HasAdmin(ctx(t)); !has {
		t.Fatal("HasAdmin = false after creating admin")
	}
	if err := s.CreateUser(ctx(t), &ansinh.User{Username: "xa1", Role: ansinh.RoleCommune, Unit: "31498", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(ctx(t), "admin")
	if err != nil || got.Role != ansinh.RoleAdmin || got.Unit != "94" || got.PasswordHash != "h" {
		t.Fatalf("User(admin) = %+v, %v", got, err)
	}
	if _, err := s.User(ctx(t), "nobody"); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("User(nobody): %v, want not found", err)
	}
	list, err := s.Users(ctx(t), []string{"31498"})
	if err != nil || len(list) != 1 || list[0].Username != "xa1" {
		t.Fatalf("Users(31498) = %v, %v", list, err)
	}
	all, _ := s.Users(ctx(t), nil)
	if len(all) != 2 {
		t.Fatalf("Users(nil) has %d users, want 2", len(all))
	}
}

func TestSessionsExpireAndEnd(t *testing.T) {
	s := storetest.New(t)
	now := time.Now()
	sess := &ansinh.Session{Username: "a", Kind: "api", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateSession(ctx(t), "tok", sess); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx(t), "tok", now); err != nil || got.Username != "a" {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	if _, err := s.Session(ctx(t), "tok", now.Add(2*time.Hour)); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("expired session: %v, want not found", err)
	}
	if _, err := s.Session(ctx(t), "other", now); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("unknown token: %v, want not found", err)
	}
	n, err := s.PurgeExpired(ctx(t), now.Add(2*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PurgeExpired = %d, %v; want 1", n, err)
	}
	if err := s.CreateSession(ctx(t), "tok2", sess); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx(t), "tok2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx(t), "tok2", now); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("deleted session: %v, want not found", err)
	}
}

// TestClaimAttemptParallel: 40 attempts at once on a key with 10 slots; exactly 10
// get one, whatever the interleaving, and a released slot can be taken again.
func TestClaimAttemptParallel(t *testing.T) {
	s := storetest.New(t)
	w := 15 * time.Minute
	now := time.Now()
	var mu sync.Mutex
	var slots []string
	refused := 0
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slot, wait, err := s.ClaimAttempt(ctx(t), "login-user:a", now, w, 10)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Error(err)
			case slot != "":
				slots = append(slots, slot)
			case wait <= 0 || wait > w:
				t.Errorf("refused with wait %v", wait)
			default:
				refused++
			}
		}()
	}
	wg.Wait()
	if len(slots) != 10 || refused != 30 {
		t.Fatalf("%d claimed, %d refused; want 10 and 30", len(slots), refused)
	}
	if slot, _, _ := s.ClaimAttempt(ctx(t), "login-user:b", now, w, 10); slot == "" {
		t.Fatal("another key is refused")
	}
	// A released slot is taken again while the window is not full.
	first, _, _ := s.ClaimAttempt(ctx(t), "login-user:c", now, w, 10)
	second, _, _ := s.ClaimAttempt(ctx(t), "login-user:c", now, w, 10)
	if err := s.ReleaseAttempt(ctx(t), first); err != nil {
		t.Fatal(err)
	}
	if again, _, _ := s.ClaimAttempt(ctx(t), "login-user:c", now, w, 10); again != first || second == first {
		t.Fatalf("after a release: slot %q, want %q", again, first)
	}
	// The next window starts empty.
	if slot, _, _ := s.ClaimAttempt(ctx(t), "login-user:a", now.Add(w), w, 10); slot == "" {
		t.Fatal("refused in the next window")
	}
}

func TestAuditIsAppendOnlyAndFiltered(t *testing.T) {
	s := storetest.New(t)
	base := time.Now().Add(-time.Minute)
	for i, a := range []string{ansinh.ActionLogin, ansinh.ActionUserCreate, ansinh.ActionLogin} {
		e := &ansinh.AuditEvent{At: base.Add(time.Duration(i) * time.Second), Actor: "admin", Action: a, Target: "user:x", IP: "127.0.0.1"}
		if err := s.Audit(ctx(t), e); err != nil || e.ID == "" {
			t.Fatalf("Audit: %v, id %q", err, e.ID)
		}
	}
	evs, err := s.AuditEvents(ctx(t), store.AuditFilter{Action: ansinh.ActionLogin})
	if err != nil || len(evs) != 2 {
		t.Fatalf("AuditEvents(login) = %d, %v", len(evs), err)
	}
	if !evs[0].At.After(evs[1].At) {
		t.Fatal("events not newest first")
	}
}

// TestOpenEmbeddedKeepsDataAcrossRestart opens the store the way `ansinh serve` does
// without MONGODB_URI, writes, closes, and opens the same directory again.
func TestOpenEmbeddedKeepsDataAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	opts := store.Options{DataDir: dir, EmbeddedAddr: "127.0.0.1:0", DBName: "ansinh", Logger: storetest.Logger(), Vault: storetest.Vault(t)}
	s, err := store.Open(ctx(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx(t), &ansinh.User{Username: "keep", Role: ansinh.RoleProvince, Unit: "94", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx(t)); err != nil {
		t.Fatal(err)
	}
	s, err = store.Open(ctx(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if u, err := s.User(ctx(t), "keep"); err != nil || u.Role != ansinh.RoleProvince {
		t.Fatalf("after restart: %+v, %v", u, err)
	}
	if err := s.Ping(ctx(t)); err != nil {
		t.Fatal(err)
	}
}

// TestSuiteThroughMongoDBURI runs this whole package again in a child process pointed
// through MONGODB_URI at a separately started embedded listener: the external path is
// the same code as the embedded one.
func TestSuiteThroughMongoDBURI(t *testing.T) {
	if storetest.External() {
		t.Skip("already running against another server")
	}
	emb, err := store.StartEmbedded(t.TempDir(), "127.0.0.1:0", storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Stop()
	cmd := exec.Command(os.Args[0], "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "MONGODB_URI="+emb.URI())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("store tests through MONGODB_URI failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestUsers") {
		t.Fatalf("child ran no store test:\n%s", out)
	}
}

// lifecycle is the registration lifecycle over s, the only writer of submissions and
// decisions.
func lifecycle(s *store.Store) *registration.Service {
	return registration.New(s, "store-test-secret", nil)
}

// The attempt slots a process keeps in memory (FerretDB) are the store's: a restart
// reads them back, and a slot given back is free again.
func TestAttemptSlotsSurviveARestart(t *testing.T) {
	s := storetest.New(t)
	now, w := time.Now(), 24*time.Hour
	var last string
	for range 5 {
		slot, _, err := s.ClaimAttempt(ctx(t), "identity:someone", now, w, 5)
		if err != nil || slot == "" {
			t.Fatalf("claim: %q %v", slot, err)
		}
		last = slot
	}
	if full, err := s.AttemptsUsed(ctx(t), "identity:someone", now, w, 5); err != nil || !full {
		t.Fatalf("five claimed: full %v %v", full, err)
	}
	s.ForgetSlotsForTest() // the restart
	if full, err := s.AttemptsUsed(ctx(t), "identity:someone", now, w, 5); err != nil || !full {
		t.Fatalf("after a restart: full %v %v", full, err)
	}
	if err := s.ReleaseAttempt(ctx(t), last); err != nil {
		t.Fatal(err)
	}
	if full, err := s.AttemptsUsed(ctx(t), "identity:someone", now, w, 5); err != nil || full {
		t.Fatalf("a slot given back: full %v %v", full, err)
	}
	if n, err := s.AttemptsTaken(ctx(t), "identity:someone", now, w, 5); err != nil || n != 4 {
		t.Fatalf("taken %d %v", n, err)
	}
}
