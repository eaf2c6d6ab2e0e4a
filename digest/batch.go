package digest

import (
	"context"
	"fmt"

	"github.com/demnet-uk/listserv/listserv/store"
)

// batch is what one claim's members share: each list, its part limits
// and its newest UID are read once per batch rather than once per
// member; ranges of posts and renderings come from the engine's caches,
// shared by consecutive batches. It lives for one RunOnce and is used by
// one goroutine.
type batch struct {
	e     *Engine
	lists map[int64]*listInfo
	last  map[int64]int64
}

// listInfo is a list with its part limits and a fingerprint of both for
// the rendering cache (a changed name or limit renders anew).
type listInfo struct {
	l        *store.List
	maxPosts int
	maxBytes int64
	key      string
}

func (e *Engine) newBatch() *batch {
	return &batch{e: e, lists: map[int64]*listInfo{}, last: map[int64]int64{}}
}

func (b *batch) list(ctx context.Context, id int64) (*listInfo, error) {
	if li := b.lists[id]; li != nil {
		return li, nil
	}
	l, err := b.e.st.GetListByID(ctx, id)
	if err != nil {
		return nil, err
	}
	maxPosts, maxBytes, err := b.e.limits(ctx, id)
	if err != nil {
		return nil, err
	}
	li := &listInfo{l: l, maxPosts: maxPosts, maxBytes: maxBytes, key: fmt.Sprintf("%v|%d|%d", *l, maxPosts, maxBytes)}
	b.lists[id] = li
	return li, nil
}

// lastUID is read once per list and batch: posts archived meanwhile go
// into the members' next digest, as they would had they been claimed a
// moment earlier.
func (b *batch) lastUID(ctx context.Context, listID int64) (int64, error) {
	if n, ok := b.last[listID]; ok {
		return n, nil
	}
	n, err := b.e.st.LastUID(ctx, listID)
	if err != nil {
		return 0, err
	}
	b.last[listID] = n
	return n, nil
}

// posts are the archived posts in (after, upto]; a range is read once
// for all the batches that need it within the cache's TTL.
func (b *batch) posts(ctx context.Context, listID, after, upto int64, limit int) ([]*store.Message, error) {
	key := fmt.Sprintf("%d|%d|%d|%d", listID, after, upto, limit)
	if ms, ok := b.e.postsCache.get(key); ok {
		return ms, nil
	}
	ms, err := b.e.st.DigestPosts(ctx, listID, after, upto, limit)
	if err != nil {
		return nil, err
	}
	b.e.postsCache.put(key, ms)
	return ms, nil
}
