package delivery

import (
	"context"
	"fmt"
	"time"
)

// deferral is the refusal a copy gets when it is not tried now because of
// its domain's limits; it becomes a retry like any 4xx.
func deferral(text string, after time.Time) *SendError {
	return &SendError{Code: 451, Enhanced: "4.4.5", Text: "not tried: " + text, RetryAfter: after}
}

// enter takes what a copy to addr needs before it is sent: its domain is
// not paused, a connection slot (a worker holds one slot per domain
// however many of its copies go there, so slots count connections) and a
// rate token. It waits at most gates.wait, then defers the copy rather
// than hold up the other domains. The caller calls leave with the gate.
func (w *worker) enter(ctx context.Context, addr string) (*gate, error) {
	g := w.e.gates
	if g == nil {
		return nil, nil
	}
	d := g.get(domainOf(addr))
	if w.prepaid == addr && w.prepaidGate == d {
		w.prepaid, w.prepaidGate = "", nil // reserved when announced
		return d, nil
	}
	if t := d.paused(); !t.IsZero() {
		return nil, deferral(d.name+" asked us to slow down; next try after "+t.Format(time.TimeOnly), t)
	}
	if w.held[d] == 0 {
		wctx, cancel := context.WithTimeout(ctx, g.wait)
		ok := d.acquire(wctx)
		cancel()
		if !ok {
			return nil, deferral(fmt.Sprintf("%s has %d connections already", d.name, cap(d.slots)), time.Time{})
		}
	}
	w.held[d]++
	if d.rate == nil {
		return d, nil
	}
	r := d.rate.Reserve()
	if delay := r.Delay(); delay > g.wait {
		r.Cancel()
		w.leave(d)
		return nil, deferral(fmt.Sprintf("%s is at its rate of %g a second", d.name, float64(d.rate.Limit())), d.spool(delay))
	} else if delay > 0 && !sleep(ctx, delay) {
		w.leave(d)
		return nil, ctx.Err()
	}
	return d, nil
}

// ready reports whether a copy to addr can go without waiting (or will
// be deferred at once, its domain being paused); a guess, not a claim.
func (w *worker) ready(addr string) bool {
	g := w.e.gates
	if g == nil || w.prepaid == addr {
		return true
	}
	d := g.get(domainOf(addr))
	if !d.paused().IsZero() {
		return true
	}
	if w.held[d] == 0 && d.slots != nil && len(d.slots) == cap(d.slots) {
		return false
	}
	return d.rate == nil || d.rate.Tokens() >= 1
}

// leave gives back what enter (or reserveNext) took.
func (w *worker) leave(d *gate) {
	if d == nil {
		return
	}
	if w.held[d]--; w.held[d] <= 0 {
		delete(w.held, d)
		d.release()
	}
}

// reserveNext takes, without waiting, what the next copy needs so that it
// can be announced on this connection (Copy.NextTo); false: send it
// unannounced later. Never waiting here means a worker never waits while
// holding a reservation, so two workers cannot wait on each other.
func (w *worker) reserveNext(addr string) bool {
	g := w.e.gates
	if g == nil {
		return true
	}
	d := g.get(domainOf(addr))
	if !d.paused().IsZero() || (w.held[d] == 0 && !d.tryAcquire()) {
		return false
	}
	w.held[d]++
	if d.rate != nil && !d.rate.Allow() {
		w.leave(d)
		return false
	}
	w.releasePrepaid()
	w.prepaid, w.prepaidGate = addr, d
	return true
}

// releasePrepaid drops a reservation for an announced copy never sent.
func (w *worker) releasePrepaid() {
	if w.prepaidGate != nil {
		w.leave(w.prepaidGate)
		w.prepaid, w.prepaidGate = "", nil
	}
}

// outcome tells the domain's gate how a copy went: a throttling reply
// pauses the domain (and stamps the error with when to try again).
func (w *worker) outcome(d *gate, msgID int64, err error) {
	if d == nil {
		return
	}
	if err == nil {
		d.delivered()
		return
	}
	se, ok := err.(*SendError)
	if !ok || !throttles(se) {
		return
	}
	se.RetryAfter = d.pause(w.e.gates)
	w.e.log.Warn("domain deferred a copy; pausing it", "domain", d.name, "message", msgID, "reply", se.Error(), "until", se.RetryAfter.Format(time.TimeOnly))
}
