package delivery

import (
	"context"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// gates holds one gate per recipient domain seen. A domain that says it
// is throttling us (throttles) is paused (doubling per consecutive deferral, reset by
// a delivered copy); its copies meanwhile become retries at once, so the
// other domains keep flowing (Postfix's per-destination queues work the
// same way).
type gates struct {
	mu       sync.Mutex
	limits   DomainLimits
	m        map[string]*gate
	base     time.Duration // first pause
	maxPause time.Duration
	wait     time.Duration // longest a copy waits for a slot or a rate token
}

func newGates(l DomainLimits, base, maxPause, wait time.Duration) *gates {
	return &gates{limits: l, m: map[string]*gate{}, base: base, maxPause: maxPause, wait: wait}
}

// gate is one domain's connections, rate and pause.
type gate struct {
	name  string
	slots chan struct{} // nil: unbounded
	rate  *rate.Limiter // nil: unlimited

	mu      sync.Mutex
	until   time.Time // paused until
	strikes int
	spooled time.Time // the latest retry time handed to a copy over the rate
}

// get returns domain's gate, made on first use.
func (g *gates) get(domain string) *gate {
	g.mu.Lock()
	defer g.mu.Unlock()
	if d, ok := g.m[domain]; ok {
		return d
	}
	l := g.limits.For(domain)
	d := &gate{name: domain}
	if l.Conns > 0 {
		d.slots = make(chan struct{}, l.Conns)
	}
	if l.Rate > 0 {
		d.rate = rate.NewLimiter(rate.Limit(l.Rate), max(1, int(l.Rate/10))) // bursts of a tenth of a second
	}
	g.m[domain] = d
	return d
}

// domainOf is the lower-cased part after the last @.
func domainOf(addr string) string {
	return strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
}

// paused returns when a paused domain may be tried again (zero: now).
func (d *gate) paused() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if time.Now().Before(d.until) {
		return d.until
	}
	return time.Time{}
}

// pause records a deferral from the domain.
func (d *gate) pause(g *gates) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if time.Now().Before(d.until) {
		return d.until // copies in flight on other connections: one strike
	}
	p := g.base
	for i := 0; i < d.strikes && p < g.maxPause; i++ {
		p *= 2
	}
	d.strikes++
	d.until = time.Now().Add(min(p, g.maxPause))
	return d.until
}

// spool gives a copy over the domain's rate (its token due after delay) a
// retry time of its own, one rate interval after the last one handed out,
// so spooled copies come back at the domain's pace, not all at once.
func (d *gate) spool(delay time.Duration) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := time.Now().Add(delay)
	if d.spooled.After(t) {
		t = d.spooled
	}
	d.spooled = t.Add(time.Duration(float64(time.Second) / float64(d.rate.Limit())))
	return t
}

// delivered ends a run of deferrals.
func (d *gate) delivered() {
	d.mu.Lock()
	d.strikes = 0
	d.mu.Unlock()
}

// tryAcquire takes a slot without waiting.
func (d *gate) tryAcquire() bool {
	if d.slots == nil {
		return true
	}
	select {
	case d.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// acquire takes a slot, waiting until ctx ends.
func (d *gate) acquire(ctx context.Context) bool {
	if d.slots == nil {
		return true
	}
	select {
	case d.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (d *gate) release() {
	if d.slots != nil {
		<-d.slots
	}
}

// throttles reports whether a refusal says the domain (not one mailbox)
// wants us to slow down: 421, a policy code 4.7.x (how Gmail, Outlook
// and Yahoo say "too fast"), or 452 4.3.1 (the server is full). Any other
// 4xx to one recipient (450/451 4.3.0 "try later", 4.2.x mailbox busy,
// 4.1.x address) is that recipient's own retry: pausing a whole domain
// for it would hold every other member there back for nothing.
func throttles(se *SendError) bool {
	switch {
	case !se.PerRcpt:
		return false
	case se.Code == 421:
		return true
	case se.Code < 450 || se.Code > 452:
		return false
	}
	return strings.HasPrefix(se.Enhanced, "4.7.") || se.Enhanced == "4.3.1"
}
