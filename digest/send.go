package digest

import (
	"context"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/store"
)

// ScheduleOf is a member's schedule; a zone that no longer loads falls
// back to the default rather than stopping their digests.
func ScheduleOf(d *store.DigestState) Schedule {
	s := Schedule{Period: d.Period, Hour: d.Hour, Weekday: d.Weekday, Zone: d.Zone}
	if s.Period != Weekly {
		s.Period = Daily
	}
	if s.Validate() != nil {
		s.Zone, s.Hour, s.Weekday = DefaultZone, DefaultHour, DefaultWeekday
	}
	return s
}

// FormatOf is the member's digest format: their choice, else their
// HTML-or-plain preference.
func FormatOf(d *store.DigestState) string {
	switch d.Format {
	case store.DigestPlain, store.DigestMIME, store.DigestHTML, store.DigestSummary:
		return d.Format
	}
	if d.PersonFormat == store.FormatPlain {
		return store.DigestPlain
	}
	return store.DigestHTML
}

// NextDue is when the member's next digest goes out by the engine's
// clock (zero when they are not in digest mode).
func (e *Engine) NextDue(d *store.DigestState) time.Time { return NextDueAt(d, e.Now()) }

// plan works out one claimed member's outcome: their digest's mail and
// cursor move, or a new due time. Nothing is stored until the batch
// commits.
func (e *Engine) plan(ctx context.Context, b *batch, d *store.DigestState, now time.Time) (*store.DigestCommit, error) {
	sched := ScheduleOf(d)
	next, err := sched.Next(now)
	if err != nil {
		return nil, err
	}
	if d.FinalUpto == 0 && d.NextDue.IsZero() {
		// Newly in digest mode or rescheduled: due at the next slot after
		// the last digest (so a change of period or hour skips none).
		if due := e.NextDue(d); due.After(now) {
			return &store.DigestCommit{State: d, Outcome: store.DigestOutcome{Cursor: d.Cursor, NextDue: due}}, nil
		}
	}
	upto := d.FinalUpto
	if upto == 0 {
		if upto, err = b.lastUID(ctx, d.Member.ListID); err != nil {
			return nil, err
		}
	}
	msgs, err := b.posts(ctx, d.Member.ListID, d.Cursor, upto, e.cfg.MaxRun)
	if err != nil {
		return nil, err
	}
	c := &store.DigestCommit{State: d, Outcome: store.DigestOutcome{Cursor: d.Cursor, NextDue: next}}
	out := &c.Outcome
	if d.FinalUpto > 0 {
		out.NextDue = time.Time{} // the last digest: stop
	}
	if len(msgs) == 0 || d.Member.Status != store.StatusEnabled {
		if len(msgs) > 0 {
			out.Cursor = msgs[len(msgs)-1].UID // disabled: skip as fan-out does
		}
		return c, nil
	}
	out.Cursor = msgs[len(msgs)-1].UID
	if out.Cursor < upto && len(msgs) == e.cfg.MaxRun {
		out.NextDue = now // more to send: claim again at once
	}
	li, err := b.list(ctx, d.Member.ListID)
	if err != nil {
		return nil, err
	}
	out.Parts, err = e.parts(li, d, msgs, now)
	if err != nil {
		return nil, err
	}
	out.Sent = now
	return c, nil
}

// parts renders (or takes from the engine's cache) the member's digest
// parts. Each part's Shared is its rendering, one slice for every member
// who shares it, so the store queues it once for all of them (a digest
// job); each copy's own fields are made at send time (DigestCopy).
func (e *Engine) parts(li *listInfo, d *store.DigestState, msgs []*store.Message, now time.Time) ([]store.DigestPart, error) {
	rs, err := e.render(li, d, msgs, now)
	if err != nil {
		return nil, err
	}
	out := make([]store.DigestPart, len(rs))
	for i, r := range rs {
		out[i] = store.DigestPart{Shared: r.shared, Part: i + 1, FirstUID: msgs[0].UID,
			LastUID: msgs[len(msgs)-1].UID, LastMsgID: msgs[len(msgs)-1].ID}
	}
	return out, nil
}

// copyOf is one member's copy of a part.
func (e *Engine) copyOf(l *store.List, memberID int64, p *store.DigestPart) *delivery.DigestCopy {
	return &delivery.DigestCopy{List: l, BaseURL: e.cfg.BaseURL, MemberID: memberID, FirstUID: p.FirstUID,
		LastUID: p.LastUID, LastMsgID: p.LastMsgID, Part: p.Part}
}

// render returns the rendered parts for these posts, shared by every
// member with the same list settings, range, period, format and local
// date, in this batch and the next ones (the engine's cache).
func (e *Engine) render(li *listInfo, d *store.DigestState, msgs []*store.Message, now time.Time) ([]*Rendered, error) {
	sched := ScheduleOf(d)
	loc, _ := sched.Location()
	date := now
	if !d.NextDue.IsZero() && d.NextDue.Before(now) {
		date = d.NextDue
	}
	date = date.In(loc)
	format := FormatOf(d)
	key := fmt.Sprintf("%s|%d-%d|%s|%s|%s", li.key, msgs[0].UID, msgs[len(msgs)-1].UID, sched.Period, format,
		date.Format(time.RFC3339))
	if cached, ok := e.renderCache.get(key); ok {
		return cached, nil
	}
	posts := make([]*Post, len(msgs))
	for i, m := range msgs {
		posts[i] = ParsePost(m)
	}
	parts := Split(posts, li.maxPosts, li.maxBytes)
	out := make([]*Rendered, len(parts))
	for i, p := range parts {
		r, err := Render(&Issue{List: li.l, Period: sched.Period, Date: date, Posts: p, Part: i + 1, Parts: len(parts),
			Format: format, BaseURL: e.cfg.BaseURL})
		if err != nil {
			return nil, err
		}
		r.shared = append(append(make([]byte, 0, len(r.Head)+len(r.Body)), r.Head...), r.Body...)
		out[i] = r
	}
	e.renderCache.put(key, out)
	return out, nil
}

// limits are the list's part size, else the engine's.
func (e *Engine) limits(ctx context.Context, listID int64) (int, int64, error) {
	ld, err := e.st.GetListDigest(ctx, listID)
	if err != nil {
		return 0, 0, err
	}
	posts, bytes := e.cfg.MaxPosts, e.cfg.MaxBytes
	if ld.MaxPosts > 0 {
		posts = ld.MaxPosts
	}
	if ld.MaxBytes > 0 {
		bytes = ld.MaxBytes
	}
	return posts, bytes, nil
}
