// Package metrics holds the server's counters and latency histograms as
// plain values the engines update; server exports them to Prometheus
// (package metrics/prom), so no engine depends on a metrics library and
// there is no global registry. A nil *Metrics records nothing.
package metrics

import (
	"sync/atomic"
	"time"
)

// Counter only goes up.
type Counter struct{ n atomic.Uint64 }

// Add adds n.
func (c *Counter) Add(n uint64) { c.n.Add(n) }

// Value is the count so far.
func (c *Counter) Value() uint64 { return c.n.Load() }

// LatencyBuckets are the histograms' upper bounds in seconds.
var LatencyBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Histogram counts durations into LatencyBuckets.
type Histogram struct {
	counts [14]atomic.Uint64 // one per bucket, the last for +Inf
	sumNs  atomic.Uint64
}

// Observe records one duration.
func (h *Histogram) Observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(LatencyBuckets) && s > LatencyBuckets[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNs.Add(uint64(max(d, 0)))
}

// Snapshot returns cumulative counts per bucket (Prometheus's form), the
// total count and the sum in seconds.
func (h *Histogram) Snapshot() (cum map[float64]uint64, count uint64, sum float64) {
	cum = make(map[float64]uint64, len(LatencyBuckets))
	for i, b := range LatencyBuckets {
		count += h.counts[i].Load()
		cum[b] = count
	}
	count += h.counts[len(LatencyBuckets)].Load()
	return cum, count, float64(h.sumNs.Load()) / 1e9
}

// Post outcomes counted by PostStored.
const (
	PostAccepted  = "accepted"
	PostHeld      = "held"
	PostDropped   = "dropped"
	PostDiscarded = "discarded"
	PostDuplicate = "duplicate"
	PostRefused   = "refused" // not stored: malformed or refused at intake
	PostOwner     = "owner"   // mail to LIST-owner
)

// PostOutcomes lists them in a stable order.
var PostOutcomes = []string{PostAccepted, PostHeld, PostDropped, PostDiscarded, PostDuplicate, PostRefused, PostOwner}

// Metrics is everything the server counts.
type Metrics struct {
	PostsReceived Counter
	posts         [7]Counter // by PostOutcomes index
	// Copies of posts and server mail handed to the relay, put off for a
	// retry, or given up on.
	CopiesDelivered, CopiesDeferred, CopiesFailed Counter
	DigestsSent                                   Counter
	// Digest is the digest engine's mail (digest.go).
	Digest Digests
	// Newsletter is the newsletter engine's issue copies (newsletter.go).
	Newsletter Newsletters
	// Time to handle one message (DATA to reply) and one HTTP request.
	SMTP, LMTP, HTTP Histogram
}

// New returns zeroed metrics.
func New() *Metrics { return &Metrics{} }

// PostReceived counts a message handed to the pipeline for a list.
func (m *Metrics) PostReceived() {
	if m != nil {
		m.PostsReceived.Add(1)
	}
}

// PostStored counts a post's outcome (one of PostOutcomes).
func (m *Metrics) PostStored(outcome string) {
	if m == nil {
		return
	}
	for i, o := range PostOutcomes {
		if o == outcome {
			m.posts[i].Add(1)
			return
		}
	}
}

// Posts is the count for one outcome.
func (m *Metrics) Posts(outcome string) uint64 {
	for i, o := range PostOutcomes {
		if o == outcome {
			return m.posts[i].Value()
		}
	}
	return 0
}

// Copies counts delivery results.
func (m *Metrics) Copies(delivered, deferred, failed int) {
	if m == nil {
		return
	}
	m.CopiesDelivered.Add(uint64(max(delivered, 0)))
	m.CopiesDeferred.Add(uint64(max(deferred, 0)))
	m.CopiesFailed.Add(uint64(max(failed, 0)))
}

// Since observes the time since start in h, when m is set.
func (m *Metrics) Since(h func(*Metrics) *Histogram, start time.Time) {
	if m != nil {
		h(m).Observe(time.Since(start))
	}
}

// CopySent counts one copy the relay accepted.
func (m *Metrics) CopySent() { m.Copies(1, 0, 0) }

// CopyRefused counts one copy refused: deferred for a retry when
// temporary, failed for good otherwise.
func (m *Metrics) CopyRefused(temporary bool) {
	if temporary {
		m.Copies(0, 1, 0)
	} else {
		m.Copies(0, 0, 1)
	}
}
