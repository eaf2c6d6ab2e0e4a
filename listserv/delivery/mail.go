package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// mailCheckpoint bounds what a process killed mid-send sends again: the
// copies since the last filing (one transaction per 25 copies, not one
// per copy).
const mailCheckpoint = 25

// mail sends the server's own queued messages the way chunk sends a
// fan-out: copies pipelined on one connection (each names the next), a
// shared body read and dot-stuffed once per body, and the outcomes
// filed in one transaction per mailCheckpoint copies or third of a
// lease, not one per mail.
func (w *worker) mail(ctx context.Context, ms []*store.QueuedMail) {
	e := w.e
	res := make([]store.MailResult, 0, len(ms))
	checkpoint := time.Now()
	for i, q := range ms {
		if time.Now().After(w.until) || ctx.Err() != nil {
			res = skipAll(res, ms[i:]) // the lease is nearly over: release the rest
			break
		}
		cp, err := w.mailCopy(ctx, q)
		if err != nil {
			e.log.Error("prepare mail", "mail", q.ID, "body", q.SharedID, "err", err)
			res = append(res, store.MailResult{Mail: q, Skipped: true})
			continue
		}
		if i+1 < len(ms) {
			cp.NextFrom, cp.NextTo = ms[i+1].From, ms[i+1].To
		}
		err = w.send(ctx, 0, q.From, q.To, cp)
		if errors.Is(err, errRelayDown) || ctx.Err() != nil {
			res = skipAll(res, ms[i:]) // leave the rest to a node that can send
			break
		}
		res = append(res, w.mailResult(q, err))
		if len(res) >= mailCheckpoint || time.Since(checkpoint) > e.cfg.Lease/3 {
			w.finishMails(ctx, res)
			res, checkpoint = res[:0], time.Now()
		}
	}
	w.finishMails(ctx, res)
	e.markBrisk()
}

func skipAll(res []store.MailResult, ms []*store.QueuedMail) []store.MailResult {
	for _, q := range ms {
		res = append(res, store.MailResult{Mail: q, Skipped: true})
	}
	return res
}

// mailCopy is a queued mail as a copy: the whole message, or its own
// header fields before a shared body; DKIM-signed when its From domain
// has a key (a shared body is hashed once, as a post is).
func (w *worker) mailCopy(ctx context.Context, q *store.QueuedMail) (*Copy, error) {
	if q.SharedID == 0 {
		sig, err := w.e.signMail(ctx, q.Raw)
		if err != nil {
			return nil, fmt.Errorf("dkim sign: %w", err)
		}
		return &Copy{Head: sig, Body: q.Raw}, nil
	}
	b, err := w.e.bodies.get(ctx, q.SharedID)
	if err != nil {
		return nil, err
	}
	head := q.Raw
	sig, err := w.e.signShared(ctx, b, q.Raw)
	if err != nil {
		return nil, fmt.Errorf("dkim sign: %w", err)
	}
	if sig != nil {
		head = append(sig[:len(sig):len(sig)], q.Raw...)
	}
	return &Copy{Head: head, Body: b.body, Stuffed: b.stuffed}, nil
}

// mailResult is one mail's outcome; a temporary failure older than
// GiveUpAfter becomes permanent.
func (w *worker) mailResult(q *store.QueuedMail, err error) store.MailResult {
	e := w.e
	r := store.MailResult{Mail: q, Next: time.Now().Add(e.backoff(q.Attempts + 1))}
	if err == nil {
		e.Metrics.CopySent()
		return r
	}
	fl := failureOf(err, &store.Member{Address: q.To}, 0)
	fl.MemberID = 0
	if fl.Temporary && time.Since(q.CreatedAt) > e.cfg.GiveUpAfter {
		fl.Temporary = false
	}
	r.Failure = &fl
	e.Metrics.CopyRefused(fl.Temporary)
	return r
}

// finishMails makes the copies final, then files the outcomes. If the
// flush fails nothing is filed: the lease runs out and the mails go again.
func (w *worker) finishMails(ctx context.Context, res []store.MailResult) {
	if len(res) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err := w.flush(ctx); err != nil {
		w.e.log.Error("flush mail", "err", err)
		return
	}
	if err := w.e.st.FinishMails(ctx, res); err != nil {
		w.e.log.Error("finish mail", "mails", len(res), "err", err)
	}
}
