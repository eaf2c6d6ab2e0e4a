package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// retries sends copies that failed temporarily before.
func (w *worker) retries(ctx context.Context, rs []*store.Retry) {
	e := w.e
	for _, r := range rs {
		if time.Now().After(w.until) {
			return // the lease is nearly over: leave the rest to whoever claims them next
		}
		m, err := e.st.GetMemberByID(ctx, r.MemberID)
		if errors.Is(err, store.ErrNotFound) {
			e.st.FinishRetry(ctx, r, nil, time.Time{}) // unsubscribed meanwhile
			continue
		}
		it, err2 := e.cache.get(ctx, r.MessageID)
		if err != nil || err2 != nil {
			e.log.Error("load retry", "retry", r.ID, "message", r.MessageID, "err", errors.Join(err, err2))
			continue
		}
		err = w.copyTo(ctx, it, m, nil)
		if errors.Is(err, errRelayDown) {
			return
		}
		if err == nil {
			err = w.flush(ctx)
		}
		w.finishRetry(ctx, r, err, m, r.MessageID)
	}
}

func (w *worker) finishRetry(ctx context.Context, r *store.Retry, err error, m *store.Member, msgID int64) {
	e := w.e
	var f *store.Failure
	next := time.Now().Add(e.backoff(r.Attempts + 1))
	if err != nil {
		if se, ok := err.(*SendError); ok && se.RetryAfter.After(next) {
			next = se.RetryAfter // the domain is paused until then
		}
		fl := failureOf(err, m, msgID)
		if fl.Temporary && time.Since(r.FirstFailed) > e.cfg.GiveUpAfter {
			fl.Temporary, fl.Text = false, "gave up after repeated temporary failures: "+fl.Text
		}
		f = &fl
		e.failed.Add(1)
		e.Metrics.CopyRefused(fl.Temporary)
	} else {
		e.sent.Add(1)
		e.Metrics.CopySent()
	}
	if err := e.st.FinishRetry(context.WithoutCancel(ctx), r, f, next); err != nil {
		e.log.Error("finish retry", "retry", r.ID, "message", msgID, "err", err)
	}
}
