package delivery

import (
	"context"
	"sync"
)

// limiter bounds open relay connections and adapts the bound: a 421 or a
// refused connection halves it, a run of successes raises it again (AIMD),
// so we back off a relay that says it is busy without losing copies.
type limiter struct {
	mu     sync.Mutex
	cond   *sync.Cond
	max    int
	limit  int
	active int
	ok     int
}

func newLimiter(max int) *limiter {
	l := &limiter{max: max, limit: max}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *limiter) acquire(ctx context.Context) bool {
	stop := context.AfterFunc(ctx, func() { l.mu.Lock(); l.cond.Broadcast(); l.mu.Unlock() })
	defer stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.active >= l.limit {
		if ctx.Err() != nil {
			return false
		}
		l.cond.Wait()
	}
	l.active++
	return true
}

func (l *limiter) release() {
	l.mu.Lock()
	l.active--
	l.mu.Unlock()
	l.cond.Broadcast()
}

// busy: the relay asked us to slow down.
func (l *limiter) busy() {
	l.mu.Lock()
	l.limit = max(1, l.limit/2)
	l.ok = 0
	l.mu.Unlock()
}

// success: one more copy accepted; every 100 widen by one, so a relay
// that was briefly busy gets its connections back within seconds.
func (l *limiter) success() {
	l.mu.Lock()
	l.ok++
	if l.ok >= 100 && l.limit < l.max {
		l.limit++
		l.ok = 0
		l.mu.Unlock()
		l.cond.Broadcast()
		return
	}
	l.mu.Unlock()
}

// wakeAll releases waiters at shutdown.
func (l *limiter) wakeAll() { l.cond.Broadcast() }
