package delivery

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// chunk sends one leased slice of a fan-out. It checkpoints every third of
// a lease, so a node killed mid-chunk costs at most that many duplicates.
func (w *worker) chunk(ctx context.Context, c *store.Chunk) {
	e := w.e
	if c.Taken {
		e.taken.Add(1)
		e.log.Info("took over chunk", "chunk", c.ID, "message", c.MessageID, "after", c.SentUpto)
	}
	it, err := e.cache.get(ctx, c.MessageID)
	if err != nil {
		e.log.Error("prepare post", "message", c.MessageID, "err", err)
		return // the lease expires and someone tries again
	}
	members, err := e.st.ChunkMembers(ctx, c)
	if err != nil {
		e.log.Error("chunk members", "chunk", c.ID, "err", err)
		return
	}
	res := store.ChunkResult{RetryAt: time.Now().Add(e.backoff(1))}
	checkpoint := time.Now()
	defer func() { w.until = time.Time{} }()
	for i, m := range members {
		// Renew the lease before sending, not after: a worker that waited
		// (for a connection) must learn it lost the chunk before it sends.
		if time.Since(checkpoint) > e.cfg.Lease/3 {
			if !w.saveProgress(ctx, c, &res, e.cfg.Lease) {
				return
			}
			checkpoint = time.Now()
		}
		w.until = checkpoint.Add(e.cfg.Lease * 2 / 3)
		if w.skipOwn(ctx, it, m) {
			c.SentUpto = m.ID
			continue
		}
		var next *store.Member
		if i+1 < len(members) && !isAuthor(it, members[i+1]) {
			next = members[i+1] // the author's copy may be skipped: never announced
		}
		err := w.copyTo(ctx, it, m, next)
		if errors.Is(err, errRelayDown) || ctx.Err() != nil {
			// Leave the rest queued and let any node with a working
			// connection take the chunk at once.
			w.saveProgress(ctx, c, &res, -time.Millisecond)
			return
		}
		if err != nil {
			fl := failureOf(err, m, it.msg.ID)
			res.Failures = append(res.Failures, fl)
			e.failed.Add(1)
			e.Metrics.CopyRefused(fl.Temporary)
		} else {
			res.Sent++
			e.sent.Add(1)
			e.Metrics.CopySent()
		}
		c.SentUpto = m.ID
	}
	if err := w.flush(ctx); err != nil {
		e.log.Error("flush copies", "chunk", c.ID, "err", err)
		return
	}
	if err := e.st.CompleteChunk(ctx, c, res); err != nil {
		e.log.Error("complete chunk", "chunk", c.ID, "err", err)
	}
}

// saveProgress flushes, files failures so far, moves the checkpoint and
// sets the lease (negative: release the chunk now).
func (w *worker) saveProgress(ctx context.Context, c *store.Chunk, res *store.ChunkResult, lease time.Duration) bool {
	ctx = context.WithoutCancel(ctx)
	if err := w.flush(ctx); err != nil {
		w.e.log.Error("flush copies", "chunk", c.ID, "err", err)
		return false
	}
	err := w.e.st.CheckpointChunk(ctx, c, lease, *res)
	if err != nil {
		w.e.log.Warn("checkpoint chunk", "chunk", c.ID, "err", err)
		return false
	}
	res.Failures, res.Sent = res.Failures[:0], 0
	return true
}

// copyTo renders and sends one member's copy; next, when known, is the
// member whose copy this connection sends next (see Copy.NextTo).
func (w *worker) copyTo(ctx context.Context, it *prepItem, m, next *store.Member) error {
	e := w.e
	w.buf.Reset()
	it.prep.AppendHead(&w.buf, e.tokens.Unsubscribe(m.ID))
	cp := &Copy{Head: w.buf.Bytes(), Body: it.prep.Body, Stuffed: it.prep.Stuffed}
	if pre, err := e.signHead(ctx, it, cp.Head); err != nil {
		return &SendError{Code: 451, Enhanced: "4.3.0", Text: "signing failed: " + err.Error()}
	} else if pre != nil {
		cp.Head = append(pre, cp.Head...)
	}
	if e.Sign != nil {
		pre, err := e.Sign(ctx, it.list, cp.Head, cp.Body)
		if err != nil {
			return &SendError{Code: 451, Enhanced: "4.3.0", Text: "signing failed: " + err.Error()}
		}
		cp.Head = append(pre, cp.Head...)
	}
	if next != nil {
		cp.NextFrom, cp.NextTo = w.verpFrom(it, next), next.Address
	}
	return w.send(ctx, it.msg.ID, w.verpFrom(it, m), m.Address, cp)
}

// verpFrom is m's envelope sender for the post: LIST-bounces+TOKEN@domain.
func (w *worker) verpFrom(it *prepItem, m *store.Member) string {
	return VERPSender(it.list, w.e.tokens, m.ID, it.msg.ID)
}

func isAuthor(it *prepItem, m *store.Member) bool {
	return it.msg.FromAddr != "" && strings.EqualFold(m.Address, it.msg.FromAddr)
}

func failureOf(err error, m *store.Member, msgID int64) store.Failure {
	f := store.Failure{MemberID: m.ID, MessageID: msgID, Rcpt: m.Address, Temporary: true, At: time.Now()}
	var se *SendError
	if errors.As(err, &se) {
		f.Code, f.Enhanced, f.Text, f.Temporary = se.Code, se.Enhanced, se.Text, se.Temporary()
	} else {
		f.Text = err.Error()
	}
	return f
}

// skipOwn reports whether m is the post's author and asked not to get
// copies of their own posts (a preference on /me). Only the author's row
// costs a lookup, once per copy of the author: at most once per chunk.
func (w *worker) skipOwn(ctx context.Context, it *prepItem, m *store.Member) bool {
	if !isAuthor(it, m) {
		return false
	}
	p, err := w.e.st.GetMemberPrefs(ctx, m.ID)
	return err == nil && !p.OwnPosts
}
