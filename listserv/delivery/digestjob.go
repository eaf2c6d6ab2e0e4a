package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// digestJob sends one leased digest part to its members the way chunk
// sends a fan-out: one shared body read and dot-stuffed once, each copy
// only its member's own fields, checkpoints every third of a lease (a
// node killed mid-job sends again at most the copies since then).
func (w *worker) digestJob(ctx context.Context, j *store.DigestJob) {
	e := w.e
	if j.Taken {
		e.taken.Add(1)
		e.log.Info("took over digest job", "job", j.ID, "after", j.SentUpto)
	}
	js, err := w.startJob(ctx, j)
	if err != nil {
		e.log.Error("prepare digest job", "job", j.ID, "body", j.BodyID, "err", err)
		return // the lease expires and someone tries again
	}
	defer func() { w.until = time.Time{} }()
	defer w.releasePrepaid()
	if !w.eachMember(js.members, func(i, next int) bool { return w.jobSendAt(ctx, js, i, next) }) {
		return
	}
	if err := w.flush(ctx); err != nil {
		e.log.Error("flush copies", "job", j.ID, "err", err)
		return
	}
	if err := e.st.CompleteDigestJob(context.WithoutCancel(ctx), j, js.res); err != nil {
		e.log.Error("complete digest job", "job", j.ID, "err", err)
	}
}

// jobSend is one digest job's progress.
type jobSend struct {
	j          *store.DigestJob
	l          *store.List
	baseURL    string
	body       *bodyItem
	members    []*store.Member
	done       progress
	res        store.DigestJobResult
	checkpoint time.Time
}

func (w *worker) startJob(ctx context.Context, j *store.DigestJob) (*jobSend, error) {
	b, err := w.e.bodies.get(ctx, j.BodyID)
	if err != nil {
		return nil, err
	}
	l, err := w.e.st.GetListByID(ctx, j.ListID)
	if err != nil {
		return nil, err
	}
	ms, err := w.e.st.DigestJobMembers(ctx, j)
	if err != nil {
		return nil, err
	}
	return &jobSend{j: j, l: l, baseURL: w.e.cfg.BaseURL, body: b, members: ms, done: newProgress(len(ms)),
		checkpoint: time.Now()}, nil
}

func (js *jobSend) copyOf(m *store.Member) *DigestCopy {
	j := js.j
	return &DigestCopy{List: js.l, BaseURL: js.baseURL, MemberID: m.ID, FirstUID: j.FirstUID, LastUID: j.LastUID,
		LastMsgID: j.LastMsgID, Part: j.Part}
}

// jobSendAt sends members[i]'s copy, announcing members[next] (-1:
// none); false when the job must be left (lease lost, relay down,
// shutdown).
func (w *worker) jobSendAt(ctx context.Context, js *jobSend, i, next int) bool {
	e, m := w.e, js.members[i]
	if time.Since(js.checkpoint) > e.cfg.Lease/3 {
		if !w.saveJob(ctx, js, e.cfg.Lease) {
			return false
		}
		js.checkpoint = time.Now()
	}
	w.until = js.checkpoint.Add(e.cfg.Lease * 2 / 3)
	dc := js.copyOf(m)
	w.buf.Reset()
	dc.AppendHead(&w.buf, e.tokens)
	head := w.buf.Bytes()
	cp := &Copy{Head: head, Body: js.body.body, Stuffed: js.body.stuffed}
	err := w.signJobCopy(ctx, js, cp)
	if err == nil {
		if next >= 0 && next < len(js.members) {
			cp.NextFrom, cp.NextTo = js.copyOf(js.members[next]).From(e.tokens), js.members[next].Address
		}
		err = w.send(ctx, 0, dc.From(e.tokens), m.Address, cp)
	}
	if errors.Is(err, errRelayDown) || ctx.Err() != nil {
		w.saveJob(ctx, js, -time.Millisecond) // leave the rest to a node that can send
		return false
	}
	w.jobOutcome(js, m, dc, head, err)
	js.done.mark(i)
	if p := js.done.prefix; p > 0 {
		js.j.SentUpto = js.members[p-1].ID
	}
	return true
}

// signJobCopy puts the copy's DKIM signature in front of its own fields.
func (w *worker) signJobCopy(ctx context.Context, js *jobSend, cp *Copy) error {
	sig, err := w.e.signShared(ctx, js.body, cp.Head)
	if err != nil {
		return &SendError{Code: 451, Enhanced: "4.3.0", Text: "signing failed: " + err.Error()}
	}
	if sig != nil {
		cp.Head = append(sig[:len(sig):len(sig)], cp.Head...)
	}
	return nil
}

// jobOutcome files one copy's result: a temporary failure keeps the
// member's own fields, to be queued as mail and retried.
func (w *worker) jobOutcome(js *jobSend, m *store.Member, dc *DigestCopy, head []byte, err error) {
	e := w.e
	if err == nil {
		js.res.Sent++
		e.sent.Add(1)
		e.Metrics.CopySent()
		return
	}
	f := store.DigestJobFailure{Failure: failureOf(err, m, 0), From: dc.From(e.tokens)}
	if f.Temporary {
		f.Head = append([]byte(nil), head...)
		f.Next = time.Now().Add(e.backoff(1))
		if !f.RetryAt.IsZero() {
			f.Next = f.RetryAt
		}
	}
	js.res.Failures = append(js.res.Failures, f)
	e.failed.Add(1)
	e.Metrics.CopyRefused(f.Temporary)
}

// saveJob flushes, files the job's progress and sets its lease
// (negative: release it now).
func (w *worker) saveJob(ctx context.Context, js *jobSend, lease time.Duration) bool {
	ctx = context.WithoutCancel(ctx)
	if err := w.flush(ctx); err != nil {
		w.e.log.Error("flush copies", "job", js.j.ID, "err", err)
		return false
	}
	if err := w.e.st.CheckpointDigestJob(ctx, js.j, lease, js.res); err != nil {
		w.e.log.Warn("checkpoint digest job", "job", js.j.ID, "err", err)
		return false
	}
	js.res = store.DigestJobResult{}
	return true
}
