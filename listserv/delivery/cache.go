package delivery

import (
	"context"
	"sync"

	"github.com/demnet-uk/listserv/listserv/store"
)

// prepCache keeps the few posts being fanned out rendered, so the 500
// chunks of a 100,000-member fan-out share one rendering.
type prepCache struct {
	st    Store
	base  string
	mu    sync.Mutex
	items map[int64]*prepItem
	order []int64
	// mitigate is the engine's DMARC mitigator (Engine.SetMitigator).
	mitigate Mitigator
}

type prepItem struct {
	once sync.Once
	list *store.List
	msg  *store.Message
	prep *Prepared
	err  error
	sig  postSig // DKIM state of this rendering (sign.go)
}

const prepCacheSize = 32

func newPrepCache(st Store, base string) *prepCache {
	return &prepCache{st: st, base: base, items: map[int64]*prepItem{}}
}

func (c *prepCache) get(ctx context.Context, messageID int64) (*prepItem, error) {
	c.mu.Lock()
	it, ok := c.items[messageID]
	if !ok {
		it = &prepItem{}
		c.items[messageID] = it
		c.order = append(c.order, messageID)
		if len(c.order) > prepCacheSize {
			delete(c.items, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	it.once.Do(func() { it.err = c.load(ctx, it, messageID) })
	if it.err != nil {
		c.mu.Lock()
		delete(c.items, messageID) // try again next time
		c.mu.Unlock()
	}
	return it, it.err
}

func (c *prepCache) load(ctx context.Context, it *prepItem, messageID int64) error {
	m, err := c.st.GetMessage(ctx, messageID)
	if err != nil {
		return err
	}
	l, err := c.st.GetListByID(ctx, m.ListID)
	if err != nil {
		return err
	}
	var opts Options
	if c.mitigate != nil {
		if opts.DMARC, err = c.mitigate.DMARCAction(ctx, l, m); err != nil {
			return err
		}
	}
	p, err := PrepareWith(l, m, c.base, opts)
	if err != nil {
		return err
	}
	m.Raw = nil // the rendering holds what is needed
	it.list, it.msg, it.prep = l, m, p
	return nil
}
