package mapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"ansinh"
)

// Queue is the store of asynchronous results to post back.
type Queue interface {
	LeaseCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int64) ([]ansinh.Callback, error)
	CallbackSent(ctx context.Context, id string, attempts int, now time.Time) error
	RetryCallback(ctx context.Context, id string, attempts int, next time.Time, reason string) error
	FailCallback(ctx context.Context, id string, attempts int, reason string, now time.Time) error
	RequeueCallbacks(ctx context.Context, now time.Time) (int, error)
}

// Deliverer posts asynchronous results to their clients' on-resolve, retrying with
// back-off until MaxAttempts, then marking them failed.
type Deliverer struct {
	Queue       Queue
	HTTP        *http.Client // nil: a client with a 15 s time-out that follows no redirect
	Log         *slog.Logger
	MaxAttempts int           // 0: DefaultMaxAttempts
	Interval    time.Duration // how often the queue is looked at; 0: 2 s
}

// DefaultMaxAttempts spans about eight hours of back-off.
const DefaultMaxAttempts = 10

const (
	leaseFor  = 2 * time.Minute
	batchSize = 20
	firstWait = 30 * time.Second
	longWait  = time.Hour
)

// Run delivers until ctx ends: at start it requeues results a crash left out of the
// queue, then looks at the queue every Interval.
func (d *Deliverer) Run(ctx context.Context) {
	if n, err := d.Queue.RequeueCallbacks(ctx, time.Now()); err != nil && ctx.Err() == nil {
		d.log().Warn("g2p callbacks: requeue", "err", err)
	} else if n > 0 {
		d.log().Info("g2p callbacks: requeued", "count", n)
	}
	every := d.Interval
	if every <= 0 {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := d.DeliverDue(ctx, time.Now()); err != nil && ctx.Err() == nil {
			d.log().Warn("g2p callbacks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliverDue makes one attempt at every result due at now and returns how many were
// delivered.
func (d *Deliverer) DeliverDue(ctx context.Context, now time.Time) (int, error) {
	due, err := d.Queue.LeaseCallbacks(ctx, now, leaseFor, batchSize)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, cb := range due {
		if ctx.Err() != nil {
			return sent, nil // the lease ends and another run takes it
		}
		attempts := cb.Attempts + 1
		reason := d.post(ctx, cb)
		switch {
		case reason == "":
			if err := d.Queue.CallbackSent(ctx, cb.ID, attempts, now); err != nil {
				return sent, err
			}
			sent++
		case attempts >= d.maxAttempts():
			d.log().Warn("g2p callback failed", "id", cb.ID, "sender", cb.Sender, "attempts", attempts, "reason", reason)
			if err := d.Queue.FailCallback(ctx, cb.ID, attempts, fmt.Sprintf("gave up after %d attempts: %s", attempts, reason), now); err != nil {
				return sent, err
			}
		default:
			if err := d.Queue.RetryCallback(ctx, cb.ID, attempts, now.Add(backoff(attempts)), reason); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

// post sends one result; "" when the client took it (any 2xx), else why not.
func (d *Deliverer) post(ctx context.Context, cb ansinh.Callback) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cb.URL, bytes.NewReader(cb.Body))
	if err != nil {
		return "bad callback URL"
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := d.client().Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return "timed out"
		}
		return "unreachable"
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Sprintf("HTTP %d", res.StatusCode)
	}
	return ""
}

func backoff(attempts int) time.Duration {
	w := firstWait << (attempts - 1)
	if w <= 0 || w > longWait {
		return longWait
	}
	return w
}

func (d *Deliverer) maxAttempts() int {
	if d.MaxAttempts > 0 {
		return d.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (d *Deliverer) client() *http.Client {
	if d.HTTP != nil {
		return d.HTTP
	}
	return defaultClient
}

// defaultClient follows no redirect: a result goes to the registered address only.
var defaultClient = &http.Client{
	Timeout:       15 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (d *Deliverer) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}
