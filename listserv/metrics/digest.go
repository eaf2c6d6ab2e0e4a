package metrics

import (
	"sync/atomic"
	"time"
)

// Digests counts the digest engine's work: mails queued (one per member
// and part) and when a batch was last queued. The server counts them as
// the engine commits its batches, so the engine itself needs no change.
type Digests struct {
	Queued Counter
	last   atomic.Int64 // unix nanoseconds of the last batch, 0: none
}

// DigestsQueued records a committed batch of n digest mails.
func (m *Metrics) DigestsQueued(n int, at time.Time) {
	if m == nil || n <= 0 {
		return
	}
	m.Digest.Queued.Add(uint64(n))
	m.Digest.last.Store(at.UnixNano())
}

// LastDigest is when digest mail was last queued (zero: never, here).
func (d *Digests) LastDigest() time.Time {
	if n := d.last.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}
