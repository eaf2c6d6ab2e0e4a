package digest

import (
	"sync"
	"time"
)

// shareTTL is how long a range of posts and its renderings stay cached
// across claims. A digest run for 10,000 members claims 50 at a time, so
// without it the same posts were read and rendered 200 times; the TTL
// bounds how long a post removed from the archive meanwhile could still
// appear.
const (
	shareTTL  = time.Minute
	shareSize = 32 // ranges and renderings kept at most
)

// ttlCache is a small map whose entries expire; safe for concurrent use
// (SendNow may run beside Run).
type ttlCache[V any] struct {
	mu    sync.Mutex
	items map[string]ttlItem[V]
}

type ttlItem[V any] struct {
	at time.Time
	v  V
}

func newTTLCache[V any]() *ttlCache[V] { return &ttlCache[V]{items: map[string]ttlItem[V]{}} }

func (c *ttlCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[key]
	if !ok || time.Since(it.at) > shareTTL {
		var zero V
		return zero, false
	}
	return it.v, true
}

func (c *ttlCache[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= shareSize {
		for k, it := range c.items {
			if time.Since(it.at) > shareTTL {
				delete(c.items, k)
			}
		}
	}
	if len(c.items) >= shareSize {
		oldest := ""
		for k, it := range c.items {
			if oldest == "" || it.at.Before(c.items[oldest].at) {
				oldest = k
			}
		}
		delete(c.items, oldest)
	}
	c.items[key] = ttlItem[V]{at: time.Now(), v: v}
}
