package delivery

import (
	"context"
	"sync"
)

// bodyCache keeps the few shared bodies being sent (a digest run has one
// per format and range), each read from the store and dot-stuffed once
// for all its copies, as prepCache does for posts.
type bodyCache struct {
	st    Store
	mu    sync.Mutex
	items map[int64]*bodyItem
	order []int64
}

type bodyItem struct {
	once          sync.Once
	body, stuffed []byte
	err           error
	sig           postSig // the body's DKIM signer, begun on first use
}

const bodyCacheSize = 32

func newBodyCache(st Store) *bodyCache { return &bodyCache{st: st, items: map[int64]*bodyItem{}} }

func (c *bodyCache) get(ctx context.Context, id int64) (*bodyItem, error) {
	c.mu.Lock()
	it, ok := c.items[id]
	if !ok {
		it = &bodyItem{}
		c.items[id] = it
		c.order = append(c.order, id)
		if len(c.order) > bodyCacheSize {
			delete(c.items, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	it.once.Do(func() {
		it.body, it.err = c.st.MailBody(ctx, id)
		if it.err == nil {
			it.stuffed = dotStuff(it.body)
		}
	})
	if it.err != nil {
		c.mu.Lock()
		if c.items[id] == it {
			delete(c.items, id) // try again next time
		}
		c.mu.Unlock()
	}
	return it, it.err
}
