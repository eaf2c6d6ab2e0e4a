package delivery

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// errRelayDown: no connection could be opened; leave the work queued.
var errRelayDown = errors.New("relay unreachable")

type worker struct {
	e        *Engine
	id       int
	conn     Conn
	buf      bytes.Buffer
	downFor  int // consecutive dial failures
	lastWork time.Time
	owner    string    // lease owner: node and worker, so a sibling's takeover is seen
	until    time.Time // waits for a connection end here, well inside the lease

	held        map[*gate]int // domain slots this worker holds, by copies
	prepaid     string        // the announced next copy's recipient: its slot and token are held
	prepaidGate *gate
}

// idleConn is how long an idle worker keeps its relay connection.
const idleConn = 2 * time.Second

// run looks for work, and when there is none sleeps until a wake-up, a
// poll token or ctx's end; no path puts a wake-up back, so an idle engine
// makes no store calls between wake-ups and polls.
func (w *worker) run(ctx, send context.Context) {
	defer w.dropConn()
	stop := context.AfterFunc(ctx, w.e.limit.wakeAll)
	defer stop()
	polled := false
	for ctx.Err() == nil {
		woke := w.e.wake.C() // before looking, so a Wake during the look counts
		if w.step(ctx, send) {
			if polled {
				w.e.Wake() // work nobody announced: bring the idle siblings
				polled = false
			}
			continue
		}
		polled = w.wait(ctx, woke)
	}
}

// wait sleeps until woke is closed, a poll token arrives (true) or ctx
// ends, closing an idle relay connection on the way.
func (w *worker) wait(ctx context.Context, woke <-chan struct{}) bool {
	var idle <-chan time.Time
	if w.conn != nil {
		t := time.NewTimer(idleConn - time.Since(w.lastWork))
		defer t.Stop()
		idle = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-woke:
			return false
		case <-w.e.poll:
			return true
		case <-idle:
			w.dropConn() // do not hold idle connections to the relay
			idle = nil
		}
	}
}

// step does one unit of work; false when there was none.
func (w *worker) step(ctx, send context.Context) bool {
	if w.downFor > 0 {
		if !sleep(ctx, min(time.Duration(w.downFor)*time.Second, 30*time.Second)) {
			return false
		}
	}
	e := w.e
	c, err := e.st.ClaimChunk(ctx, w.owner, e.cfg.Lease, e.cfg.ChunkSize)
	if err == nil {
		w.chunk(send, c)
		return true
	}
	if ctx.Err() != nil {
		return false
	}
	if !errors.Is(err, store.ErrNotFound) {
		e.log.Error("claim chunk", "err", err)
		sleep(ctx, time.Second)
		return false
	}
	w.until = time.Now().Add(e.cfg.Lease * 2 / 3)
	defer func() { w.until = time.Time{} }()
	if rs, err := e.st.ClaimRetries(ctx, w.owner, e.cfg.Lease, 20); err != nil && ctx.Err() == nil {
		e.log.Error("claim retries", "err", err)
	} else if len(rs) > 0 {
		w.retries(send, rs)
		return true
	}
	if j, err := e.st.ClaimDigestJob(ctx, w.owner, e.cfg.Lease); err == nil {
		w.digestJob(send, j)
		return true
	} else if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
		e.log.Error("claim digest job", "err", err)
	}
	// Queued mail is claimed a chunk at a time: digests arrive by the
	// thousand, and each claim and each finish is a transaction (on
	// SQLite a disk sync).
	if ms, err := e.st.ClaimMail(ctx, w.owner, e.cfg.Lease, e.cfg.ChunkSize); err != nil && ctx.Err() == nil {
		e.log.Error("claim mail", "err", err)
	} else if len(ms) > 0 {
		w.mail(send, ms)
		return true
	}
	return false
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (w *worker) ensureConn(ctx context.Context) error {
	if w.conn != nil {
		return nil
	}
	actx := ctx
	if !w.until.IsZero() {
		var cancel context.CancelFunc
		actx, cancel = context.WithDeadline(ctx, w.until)
		defer cancel()
	}
	if !w.e.limit.acquire(actx) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errRelayDown // no connection free in time: leave the work to others
	}
	c, err := w.e.tr.Dial(ctx)
	if err != nil {
		w.e.limit.release()
		w.e.limit.busy()
		w.downFor++
		w.e.log.Warn("relay dial failed", "relay", w.e.tr.Name(), "worker", w.id, "err", err)
		return errRelayDown
	}
	w.conn, w.downFor = c, 0
	return nil
}

func (w *worker) dropConn() {
	if w.conn == nil {
		return
	}
	w.conn.Close()
	w.conn = nil
	w.e.limit.release()
}

// send transmits one copy within its domain's limits (see enter), then
// announces cp.NextTo only if that copy's limits allow it now.
func (w *worker) send(ctx context.Context, msgID int64, from, to string, cp *Copy) error {
	d, err := w.enter(ctx, to)
	if err != nil {
		return err
	}
	defer w.leave(d)
	if cp.NextTo != "" && !w.reserveNext(cp.NextTo) {
		cp.NextFrom, cp.NextTo = "", ""
	}
	err = w.transmit(ctx, msgID, from, to, cp)
	w.outcome(d, msgID, err)
	return err
}

// transmit sends one copy, redialling a broken connection twice. A copy
// whose connection broke after DATA may arrive twice: that is a copy in
// flight, counted by the crash harness. A domain's throttling reply is
// returned (a 421 after one more try): only that domain slows down.
func (w *worker) transmit(ctx context.Context, msgID int64, from, to string, cp *Copy) error {
	var last error = errRelayDown
	retried := false
	for range 3 {
		if err := w.ensureConn(ctx); err != nil {
			return err
		}
		err := w.conn.Send(ctx, msgID, from, to, cp)
		w.lastWork = time.Now()
		if err == nil {
			w.e.limit.success()
			return nil
		}
		se := classify(err)
		if !se.Broken {
			return se
		}
		w.dropConn()
		if throttles(se) {
			// A 421 for one recipient: try once more on a new connection
			// (a relay may say it in passing), then pause the domain; the
			// relay's connection limit is not narrowed for it.
			if retried {
				return se
			}
			retried, last = true, se
			sleep(ctx, 200*time.Millisecond)
			continue
		}
		if se.Code == 421 {
			w.e.limit.busy()
			sleep(ctx, 200*time.Millisecond)
		}
		last = se
	}
	return last
}

// flush makes copies final (capture) before the store is told they went.
func (w *worker) flush(ctx context.Context) error {
	if w.conn == nil {
		return nil
	}
	return w.conn.Flush(ctx)
}
