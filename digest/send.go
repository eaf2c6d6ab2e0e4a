package digest

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
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
	out.Mail, err = e.mails(li, d, msgs, now)
	if err != nil {
		return nil, err
	}
	out.Sent = now
	return c, nil
}

// mails renders (or takes from the engine's cache) each part and adds
// the member's own header fields: each mail's Raw is its Message-ID and
// List-Unsubscribe fields, and Shared is the part's rendering, stored
// once for every member who shares it (the VERP sender is the
// envelope's).
func (e *Engine) mails(li *listInfo, d *store.DigestState, msgs []*store.Message, now time.Time) ([]*store.QueuedMail, error) {
	rs, err := e.render(li, d, msgs, now)
	if err != nil {
		return nil, err
	}
	l := li.l
	from := delivery.VERPSender(l, e.tokens, d.MemberID, msgs[len(msgs)-1].ID)
	unsub := e.tokens.Unsubscribe(d.MemberID)
	out := make([]*store.QueuedMail, 0, len(rs))
	for i, r := range rs {
		var b bytes.Buffer
		b.Grow(384)
		fmt.Fprintf(&b, "Message-ID: <digest.%s.%s-%s.%d@%s>\r\n", strconv.FormatInt(d.MemberID, 36),
			strconv.FormatInt(msgs[0].UID, 36), strconv.FormatInt(msgs[len(msgs)-1].UID, 36), i+1, l.Domain())
		delivery.AppendUnsubscribe(&b, l, e.cfg.BaseURL, unsub)
		out = append(out, &store.QueuedMail{From: from, To: d.Member.Address, Raw: b.Bytes(), Shared: r.shared})
	}
	return out, nil
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
