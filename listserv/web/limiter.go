package web

import (
	"net/netip"
	"sync"
	"time"
)

// Sign-in requests per client: enough for a household or an office behind
// one address, far too few to mail-bomb a list's members.
const (
	signinPerClient = 10
	signinWindow    = 10 * time.Minute
	limiterKeys     = 100_000 // about 10 MB at most
)

// limiter counts hits per key in fixed windows. It lives in memory, so on
// a cluster each node counts on its own (the per-address limit in the
// store is shared).
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	keys   int
	hits   map[string]*hitWindow
}

type hitWindow struct {
	start time.Time
	n     int
}

func newLimiter(max int, window time.Duration, keys int) *limiter {
	return &limiter{max: max, window: window, keys: keys, hits: map[string]*hitWindow{}}
}

// allow counts one hit for key and reports whether it is within the limit.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hits[key]
	if h == nil || now.Sub(h.start) >= l.window {
		if h == nil && len(l.hits) >= l.keys {
			l.prune(now)
		}
		h = &hitWindow{start: now}
		l.hits[key] = h
	}
	h.n++
	return h.n <= l.max
}

// prune forgets finished windows; if every key is still live (an attack
// from very many addresses) it forgets them all rather than lock every
// newcomer out: the per-address limit and the members-only rule still
// bound what can be mailed.
func (l *limiter) prune(now time.Time) {
	for k, h := range l.hits {
		if now.Sub(h.start) >= l.window {
			delete(l.hits, k)
		}
	}
	if len(l.hits) >= l.keys {
		clear(l.hits)
	}
}

// limitKey groups IPv6 clients by /64, the block one customer usually gets.
func limitKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}
