package digest

import (
	"context"
	"fmt"

	"github.com/demnet-uk/listserv/listserv/store"
)

// batch is what one claim's members share: each list, its newest UID,
// each range of posts and each rendered body is read or rendered once
// per batch rather than once per member. It lives for one RunOnce and
// is used by one goroutine.
type batch struct {
	st       Store
	lists    map[int64]*store.List
	last     map[int64]int64
	msgs     map[string][]*store.Message
	rendered map[string][]*Rendered
}

func newBatch(st Store) *batch {
	return &batch{st: st, lists: map[int64]*store.List{}, last: map[int64]int64{},
		msgs: map[string][]*store.Message{}, rendered: map[string][]*Rendered{}}
}

func (b *batch) list(ctx context.Context, id int64) (*store.List, error) {
	if l := b.lists[id]; l != nil {
		return l, nil
	}
	l, err := b.st.GetListByID(ctx, id)
	if err != nil {
		return nil, err
	}
	b.lists[id] = l
	return l, nil
}

// lastUID is read once per list and batch: posts archived meanwhile go
// into the members' next digest, as they would had they been claimed a
// moment earlier.
func (b *batch) lastUID(ctx context.Context, listID int64) (int64, error) {
	if n, ok := b.last[listID]; ok {
		return n, nil
	}
	n, err := b.st.LastUID(ctx, listID)
	if err != nil {
		return 0, err
	}
	b.last[listID] = n
	return n, nil
}

func (b *batch) posts(ctx context.Context, listID, after, upto int64, limit int) ([]*store.Message, error) {
	key := fmt.Sprintf("%d|%d|%d|%d", listID, after, upto, limit)
	if ms, ok := b.msgs[key]; ok {
		return ms, nil
	}
	ms, err := b.st.DigestPosts(ctx, listID, after, upto, limit)
	if err != nil {
		return nil, err
	}
	b.msgs[key] = ms
	return ms, nil
}
