package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ansinh/ratelimit"
	"ansinh/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestOneInstanceCountsExactlyPerWindow(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)}
	l := ratelimit.New(5, time.Minute, nil, c.now)
	ctx := context.Background()
	for i := range 7 {
		ok, wait := l.Allow(ctx, "1.2.3.4")
		if ok != (i < 5) {
			t.Fatalf("request %d: allowed %v", i+1, ok)
		}
		if wait <= 0 || wait > time.Minute {
			t.Fatalf("wait %v", wait)
		}
	}
	if ok, _ := l.Allow(ctx, "5.6.7.8"); !ok {
		t.Fatal("another address is refused")
	}
	c.add(time.Minute)
	if ok, _ := l.Allow(ctx, "1.2.3.4"); !ok {
		t.Fatal("refused in the next window")
	}
}

// Two instances on one store, many requests of one address at once on each: together
// they grant no more than the limit, and waste at most a chunk each.
func TestInstancesShareTheLimitThroughTheStore(t *testing.T) {
	a, b := storetest.Pair(t)
	const limit = 200
	c := &clock{t: time.Now()}
	one, two := ratelimit.New(limit, time.Minute, a, c.now), ratelimit.New(limit, time.Minute, b, c.now)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := range 16 {
		l := []*ratelimit.Limiter{one, two}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				if ok, _ := l.Allow(context.Background(), "10.0.0.1"); ok {
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := allowed.Load(); n > limit || n < limit-2*limit/10 {
		t.Fatalf("%d requests allowed across two instances, limit %d", n, limit)
	}
	// Taking turns, one request at a time, with a limit under ten: exact.
	c.add(time.Minute)
	one, two = ratelimit.New(4, time.Minute, a, c.now), ratelimit.New(4, time.Minute, b, c.now)
	var got []bool
	for i := range 6 {
		ok, _ := []*ratelimit.Limiter{one, two}[i%2].Allow(context.Background(), "10.0.0.2")
		got = append(got, ok)
	}
	if want := []bool{true, true, true, true, false, false}; !equal(got, want) {
		t.Fatalf("taking turns: %v", got)
	}
}

func equal(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// slow is a Reserver whose reservations for one key wait until released.
type slow struct {
	entered, release chan struct{}
	key              string
}

func (s *slow) TakeSlot(_ context.Context, key string, _ time.Time, _ time.Duration, _ int) (bool, error) {
	if key == s.key {
		close(s.entered)
		<-s.release
	}
	return true, nil
}

// A reservation waiting on the store holds back only its own address.
func TestAWaitingReservationHoldsBackOnlyItsKey(t *testing.T) {
	s := &slow{entered: make(chan struct{}), release: make(chan struct{}), key: "busy"}
	l := ratelimit.New(100, time.Minute, s, nil)
	go l.Allow(context.Background(), "busy")
	<-s.entered
	done := make(chan bool)
	go func() { ok, _ := l.Allow(context.Background(), "free"); done <- ok }()
	select {
	case ok := <-done:
		if !ok {
			t.Fatal("the other address was refused")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("another address waited for the busy one's reservation")
	}
	close(s.release)
}
