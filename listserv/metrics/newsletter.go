package metrics

import (
	"sync/atomic"
	"time"
)

// Newsletters counts the newsletter engine's sends: issue copies queued
// (one per subscriber who gets the issue) and when copies were last
// queued. Like Digests, the server counts them as the engine commits its
// batches.
type Newsletters struct {
	Queued Counter
	last   atomic.Int64 // unix nanoseconds of the last batch, 0: none
}

// NewsletterQueued records a committed batch of n issue copies.
func (m *Metrics) NewsletterQueued(n int, at time.Time) {
	if m == nil || n <= 0 {
		return
	}
	m.Newsletter.Queued.Add(uint64(n))
	m.Newsletter.last.Store(at.UnixNano())
}

// LastSend is when issue copies were last queued (zero: never, here).
func (n *Newsletters) LastSend() time.Time {
	if v := n.last.Load(); v != 0 {
		return time.Unix(0, v)
	}
	return time.Time{}
}
