package delivery

import (
	"context"
	"sync"
	"time"
)

// wakeup is a broadcast: every worker waiting on C when Fire is called
// wakes once, and nobody can consume a wake-up meant for the others or
// put one back (which made idle workers spin). A worker takes C before
// it looks for work, so a wake-up that arrives during the look is kept.
type wakeup struct {
	mu sync.Mutex
	ch chan struct{}
}

func newWakeup() *wakeup { return &wakeup{ch: make(chan struct{})} }

// C is closed by the next Fire.
func (w *wakeup) C() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ch
}

// Fire wakes every current waiter.
func (w *wakeup) Fire() {
	w.mu.Lock()
	close(w.ch)
	w.ch = make(chan struct{})
	w.mu.Unlock()
}

// pollLoop hands out one poll token per interval, taken by one idle
// worker: a node that missed a wake-up (another node's notification lost,
// a retry or a lease coming due) finds the work within one interval, and
// an idle engine costs one look per interval, not one per worker. For a
// second after queued mail went out it polls every briskPoll: mail
// queued by another process (`digest send`, another node's digests)
// comes in batches nobody here is woken for, and the next batch is
// usually ready well before the next interval.
func (e *Engine) pollLoop(ctx context.Context) {
	t := time.NewTimer(e.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.briskNow:
		case <-t.C:
			select {
			case e.poll <- struct{}{}:
			default: // a token is still waiting: every worker is busy
			}
		}
		t.Reset(e.pollEvery())
	}
}

const (
	briskPoll = 50 * time.Millisecond
	briskFor  = time.Second
)

func (e *Engine) pollEvery() time.Duration {
	if time.Now().UnixNano() < e.brisk.Load() {
		return min(briskPoll, e.cfg.Poll)
	}
	return e.cfg.Poll
}

// markBrisk starts (or extends) brisk polling.
func (e *Engine) markBrisk() {
	e.brisk.Store(time.Now().Add(briskFor).UnixNano())
	select {
	case e.briskNow <- struct{}{}:
	default:
	}
}
