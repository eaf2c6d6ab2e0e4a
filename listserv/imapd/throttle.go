package imapd

import (
	"sync"
	"time"
)

// Failed sign-ins allowed per client address and per account in a
// window; beyond it every attempt is refused (even a right password) until
// the window ends. In memory: each node counts on its own.
const (
	failPerClient  = 10
	failPerAccount = 5
	failWindow     = 15 * time.Minute
	throttleKeys   = 100_000
)

// throttle counts failures per key in fixed windows.
type throttle struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string]*failCount
}

type failCount struct {
	start time.Time
	n     int
}

func newThrottle(max int, window time.Duration) *throttle {
	return &throttle{max: max, window: window, fails: map[string]*failCount{}}
}

// blocked reports whether key has used up its failures.
func (t *throttle) blocked(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fails[key]
	return f != nil && now.Sub(f.start) < t.window && f.n >= t.max
}

// fail counts one failure for key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fails[key]
	if f == nil || now.Sub(f.start) >= t.window {
		if f == nil && len(t.fails) >= throttleKeys {
			t.prune(now)
		}
		f = &failCount{start: now}
		t.fails[key] = f
	}
	f.n++
}

// prune forgets finished windows (or, under a flood of keys, all).
func (t *throttle) prune(now time.Time) {
	for k, f := range t.fails {
		if now.Sub(f.start) >= t.window {
			delete(t.fails, k)
		}
	}
	if len(t.fails) >= throttleKeys {
		clear(t.fails)
	}
}
