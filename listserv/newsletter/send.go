package newsletter

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/store"
)

// renderings caches one Rendered per choice of sections and format.
type renderings struct {
	c     *Content
	byKey map[string]*Rendered
}

func (r *renderings) get(sections []string, format string) (*Rendered, bool, error) {
	if format != store.FormatPlain {
		format = store.FormatHTML
	}
	secs := slices.Clone(sections)
	slices.Sort(secs)
	key := format + "|" + strings.Join(secs, ",")
	if x, ok := r.byKey[key]; ok {
		return x, x != nil, nil
	}
	p := r.c.Personal(secs)
	if len(p.IDs()) == 0 && p.Intro == "" {
		r.byKey[key] = nil // nothing in their sections: no copy
		return nil, false, nil
	}
	x, err := Render(p, format)
	if err != nil {
		return nil, false, err
	}
	r.byKey[key] = x
	return x, true, nil
}

// send queues the issue's copies from its cursor on, a batch of
// subscribers per transaction (the cursor moves with the batch's mail),
// and marks it sent after the last batch. A second sender on the same
// issue loses the cursor race (ErrLeaseLost), re-reads it and goes on
// from where the winner left it.
func (e *Engine) send(ctx context.Context, l *store.List, is *store.NewsletterIssue) (int, error) {
	n, err := e.st.GetNewsletter(ctx, l.ID)
	if err != nil {
		return 0, err
	}
	c, err := Load(ctx, e.st, l, is, scheduleOf(n).Loc())
	if err != nil {
		return 0, err
	}
	c.BaseURL = e.cfg.BaseURL
	rs := &renderings{c: c, byKey: map[string]*Rendered{}}
	queued := 0
	for {
		subs, err := e.st.NewsletterSubscribers(ctx, l.ID, is.Cursor, e.cfg.Batch)
		if err != nil {
			return queued, err
		}
		if len(subs) == 0 {
			return queued, e.st.FinishIssue(ctx, is.ID, e.cfg.Now())
		}
		mails, err := e.batch(l, is, rs, subs)
		if err != nil {
			return queued, err
		}
		if e.BeforeBatch != nil {
			if err := e.BeforeBatch(is); err != nil {
				return queued, err
			}
		}
		upto := subs[len(subs)-1].Member.ID
		err = e.st.QueueIssue(ctx, is.ID, is.Cursor, upto, mails)
		if errors.Is(err, store.ErrLeaseLost) {
			cur, gerr := e.st.GetIssue(ctx, l.ID, is.Number)
			if gerr != nil {
				return queued, gerr
			}
			if cur.State == store.IssueSent {
				return queued, nil
			}
			is.Cursor = cur.Cursor
			continue
		}
		if err != nil {
			return queued, err
		}
		is.Cursor, is.SentCount = upto, is.SentCount+int64(len(mails))
		queued += len(mails)
		if len(mails) > 0 && e.Queued != nil {
			e.Queued()
		}
	}
}

func (e *Engine) batch(l *store.List, is *store.NewsletterIssue, rs *renderings, subs []*store.Subscriber) ([]*store.QueuedMail, error) {
	out := make([]*store.QueuedMail, 0, len(subs))
	for _, s := range subs {
		r, ok, err := rs.get(s.Sections, s.Format)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		m := s.Member
		raw := r.Mail(l, e.cfg.BaseURL, e.tokens.Unsubscribe(m.ID), MessageID(l, is.Number, m.ID))
		out = append(out, &store.QueuedMail{From: delivery.VERPSender(l, e.tokens, m.ID, 0), To: m.Address, Raw: raw})
	}
	return out, nil
}
