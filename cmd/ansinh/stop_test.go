package main

import (
	"runtime"
	"testing"
	"time"
)

// TestStopRightAfterStartReturns stops the server the moment it says it is ready, again
// and again on one processor, where the serving goroutine has often not started yet:
// the stop must still return (fasthttp closes only the listeners its Serve registered).
func TestStopRightAfterStartReturns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_ADDR": "127.0.0.1:0", "ANSINH_ADMIN_PASSWORD": "the-admin-password"}
	for i := range 15 {
		s := startServer(t, env)
		stopped := make(chan error, 1)
		go func() { stopped <- s.stop() }()
		select {
		case <-stopped:
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: the server did not stop within 30 s", i)
		}
	}
}
