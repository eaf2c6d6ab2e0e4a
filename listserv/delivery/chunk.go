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
		e.log.Error("chunk members", "chunk", c.ID, "message", c.MessageID, "err", err)
		return
	}
	cs := &chunkSend{c: c, it: it, members: members, done: newProgress(len(members)),
		res: store.ChunkResult{RetryAt: time.Now().Add(e.backoff(1))}, checkpoint: time.Now()}
	defer func() { w.until = time.Time{} }()
	defer w.releasePrepaid()
	if !w.eachMember(members, func(i, next int) bool { return w.sendAt(ctx, cs, i, next) }) {
		return
	}
	if err := w.flush(ctx); err != nil {
		e.log.Error("flush copies", "chunk", c.ID, "message", c.MessageID, "err", err)
		return
	}
	if err := e.st.CompleteChunk(ctx, c, cs.res); err != nil {
		e.log.Error("complete chunk", "chunk", c.ID, "message", c.MessageID, "err", err)
	}
}

// eachMember calls send for each member, announcing the next one (-1:
// none); copies whose domain is at its limit right now go after the
// rest, so one slow domain does not hold up the others. False when send
// said to stop.
func (w *worker) eachMember(members []*store.Member, send func(i, next int) bool) bool {
	var later []int
	for i, m := range members {
		if !w.ready(m.Address) {
			later = append(later, i)
			continue
		}
		if !send(i, i+1) {
			return false
		}
	}
	for k, i := range later {
		next := -1
		if k+1 < len(later) {
			next = later[k+1]
		}
		if !send(i, next) {
			return false
		}
	}
	return true
}

// progress is which of a batch's members are handled; the checkpoint is
// the longest handled prefix (copies sent out of order past it may be
// sent again after a crash, never lost).
type progress struct {
	done   []bool
	prefix int // members[:prefix] are all done
}

func newProgress(n int) progress { return progress{done: make([]bool, n)} }

func (p *progress) mark(i int) {
	p.done[i] = true
	for p.prefix < len(p.done) && p.done[p.prefix] {
		p.prefix++
	}
}

// chunkSend is one chunk's progress.
type chunkSend struct {
	c          *store.Chunk
	it         *prepItem
	members    []*store.Member
	done       progress
	res        store.ChunkResult
	checkpoint time.Time
}

// markDone records members[i] as handled and moves the checkpoint.
func (cs *chunkSend) markDone(i int) {
	cs.done.mark(i)
	if p := cs.done.prefix; p > 0 {
		cs.c.SentUpto = cs.members[p-1].ID
	}
}

// sendAt sends members[i]'s copy, announcing members[next] (-1: none);
// false when the chunk must be left (lease lost, relay down, shutdown).
func (w *worker) sendAt(ctx context.Context, cs *chunkSend, i, next int) bool {
	e, c, m := w.e, cs.c, cs.members[i]
	// Renew the lease before sending, not after: a worker that waited
	// (for a connection) must learn it lost the chunk before it sends.
	if time.Since(cs.checkpoint) > e.cfg.Lease/3 {
		if !w.saveProgress(ctx, c, &cs.res, e.cfg.Lease) {
			return false
		}
		cs.checkpoint = time.Now()
	}
	w.until = cs.checkpoint.Add(e.cfg.Lease * 2 / 3)
	if w.skipOwn(ctx, cs.it, m) {
		cs.markDone(i)
		return true
	}
	var nm *store.Member
	if next >= 0 && next < len(cs.members) && !isAuthor(cs.it, cs.members[next]) {
		nm = cs.members[next] // the author's copy may be skipped: never announced
	}
	err := w.copyTo(ctx, cs.it, m, nm)
	if errors.Is(err, errRelayDown) || ctx.Err() != nil {
		// Leave the rest queued and let any node with a working
		// connection take the chunk at once.
		w.saveProgress(ctx, c, &cs.res, -time.Millisecond)
		return false
	}
	if err != nil {
		fl := failureOf(err, m, cs.it.msg.ID)
		cs.res.Failures = append(cs.res.Failures, fl)
		e.failed.Add(1)
		e.Metrics.CopyRefused(fl.Temporary)
	} else {
		cs.res.Sent++
		e.sent.Add(1)
		e.Metrics.CopySent()
	}
	cs.markDone(i)
	return true
}

// saveProgress flushes, files failures so far, moves the checkpoint and
// sets the lease (negative: release the chunk now).
func (w *worker) saveProgress(ctx context.Context, c *store.Chunk, res *store.ChunkResult, lease time.Duration) bool {
	ctx = context.WithoutCancel(ctx)
	if err := w.flush(ctx); err != nil {
		w.e.log.Error("flush copies", "chunk", c.ID, "message", c.MessageID, "message", c.MessageID, "err", err)
		return false
	}
	err := w.e.st.CheckpointChunk(ctx, c, lease, *res)
	if err != nil {
		w.e.log.Warn("checkpoint chunk", "chunk", c.ID, "message", c.MessageID, "err", err)
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
		f.RetryAt = se.RetryAfter
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
