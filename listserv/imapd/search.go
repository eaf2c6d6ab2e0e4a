package imapd

import (
	"context"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Search answers SEARCH and UID SEARCH. Each criterion becomes a mask
// over the mailbox's messages: sequence and UID sets and the reader's
// flags in memory; from, subject, dates and sizes in one SQL query on the
// stored fields; BODY and TEXT through the TextSearcher; other header
// fields by reading headers. NOT and OR combine masks.
func (s *session) Search(kind imapserver.NumKind, c *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	sel, err := s.need()
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.ctx()
	defer cancel()
	e := &evaluator{s: s, sel: sel, ctx: ctx}
	mask := make([]bool, len(sel.uids))
	if sel.box.list != nil {
		if mask, err = e.eval(c); err != nil {
			return nil, err
		}
	}
	d := &imap.SearchData{}
	var seqs imap.SeqSet
	var uids imap.UIDSet
	for i, ok := range mask {
		if !ok {
			continue
		}
		uid := sel.uids[i]
		uids.AddNum(uid)
		num := uint32(i + 1)
		if kind == imapserver.NumKindUID {
			num = uint32(uid)
		} else {
			seqs.AddNum(num)
		}
		if d.Min == 0 || num < d.Min {
			d.Min = num
		}
		d.Max = max(d.Max, num)
		d.Count++
	}
	d.All = seqs
	if kind == imapserver.NumKindUID {
		d.All = uids
	}
	if options.ReturnSave {
		sel.searchRes = uids
	}
	return d, nil
}

// evaluator computes one SEARCH; the reader's flags are read once.
type evaluator struct {
	s     *session
	sel   *selected
	ctx   context.Context
	flags map[imap.UID]*store.IMAPFlags
}

func (e *evaluator) all(v bool) []bool {
	m := make([]bool, len(e.sel.uids))
	for i := range m {
		m[i] = v
	}
	return m
}

func (e *evaluator) eval(c *imap.SearchCriteria) ([]bool, error) {
	res := e.all(true)
	and := func(m []bool) {
		for i := range res {
			res[i] = res[i] && m[i]
		}
	}
	for _, set := range c.SeqNum {
		and(e.refMask(e.sel.resolve(set)))
	}
	for _, set := range c.UID {
		and(e.refMask(e.sel.resolve(set)))
	}
	if err := e.flagCriteria(c, and); err != nil {
		return nil, err
	}
	if err := e.storedCriteria(c, and); err != nil {
		return nil, err
	}
	if err := e.textCriteria(c, and); err != nil {
		return nil, err
	}
	for i := range c.Not {
		m, err := e.eval(&c.Not[i])
		if err != nil {
			return nil, err
		}
		for j := range m {
			m[j] = !m[j]
		}
		and(m)
	}
	for _, or := range c.Or {
		a, err := e.eval(&or[0])
		if err != nil {
			return nil, err
		}
		b, err := e.eval(&or[1])
		if err != nil {
			return nil, err
		}
		for j := range a {
			a[j] = a[j] || b[j]
		}
		and(a)
	}
	return res, nil
}

func (e *evaluator) refMask(refs []msgRef) []bool {
	m := e.all(false)
	for _, r := range refs {
		m[r.seq-1] = true
	}
	return m
}

func (e *evaluator) uidMask(uids []int64) []bool {
	m := e.all(false)
	for _, u := range uids {
		if q := e.sel.seqOf(imap.UID(u)); q > 0 {
			m[q-1] = true
		}
	}
	return m
}

// flagCriteria: \Seen and \Flagged are the reader's; no post is ever
// \Answered, \Deleted, \Draft, \Recent or carries a keyword.
func (e *evaluator) flagCriteria(c *imap.SearchCriteria, and func([]bool)) error {
	if len(c.Flag)+len(c.NotFlag) == 0 {
		return nil
	}
	if e.flags == nil && len(e.sel.uids) > 0 {
		refs := []msgRef{{uid: e.sel.uids[0]}, {uid: e.sel.uids[len(e.sel.uids)-1]}}
		fs, err := e.s.flagsOf(e.ctx, e.sel.box.list.ID, refs)
		if err != nil {
			return err
		}
		e.flags = fs
	}
	has := func(f imap.Flag) []bool {
		m := e.all(false)
		for i, u := range e.sel.uids {
			fl := e.flags[u]
			switch strings.ToLower(string(f)) {
			case `\seen`:
				m[i] = fl != nil && fl.Seen
			case `\flagged`:
				m[i] = fl != nil && fl.Flagged
			}
		}
		return m
	}
	for _, f := range c.Flag {
		and(has(f))
	}
	for _, f := range c.NotFlag {
		m := has(f)
		for i := range m {
			m[i] = !m[i]
		}
		and(m)
	}
	return nil
}

// storedCriteria runs what the messages table indexes as SQL: one query
// for dates and sizes, one per From or Subject field; any other header
// field is read from the stored headers.
func (e *evaluator) storedCriteria(c *imap.SearchCriteria, and func([]bool)) error {
	listID := e.sel.box.list.ID
	f := store.ArchiveFilter{Since: day(c.Since), Before: day(c.Before), SentSince: day(c.SentSince),
		SentBefore: day(c.SentBefore), Larger: c.Larger, Smaller: c.Smaller}
	var filters []store.ArchiveFilter
	if f != (store.ArchiveFilter{}) {
		filters = append(filters, f)
	}
	for _, h := range c.Header {
		switch strings.ToLower(h.Key) {
		case "from":
			filters = append(filters, store.ArchiveFilter{From: h.Value})
		case "subject":
			filters = append(filters, store.ArchiveFilter{Subject: h.Value})
		default:
			uids, err := scanArchive(e.ctx, e.s.srv.st, listID, headerMatcher(h.Key, h.Value))
			if err != nil {
				return e.s.internal("search header", err)
			}
			and(e.uidMask(uids))
		}
	}
	for _, f := range filters {
		uids, err := e.s.srv.st.SearchUIDs(e.ctx, listID, f)
		if err != nil {
			return e.s.internal("search", err)
		}
		and(e.uidMask(uids))
	}
	return nil
}

func (e *evaluator) textCriteria(c *imap.SearchCriteria, and func([]bool)) error {
	for _, t := range c.Text {
		uids, err := e.s.srv.text.SearchText(e.ctx, e.sel.box.list.ID, t, false)
		if err != nil {
			return e.s.internal("search text", err)
		}
		and(e.uidMask(uids))
	}
	for _, t := range c.Body {
		uids, err := e.s.srv.text.SearchText(e.ctx, e.sel.box.list.ID, t, true)
		if err != nil {
			return e.s.internal("search body", err)
		}
		and(e.uidMask(uids))
	}
	return nil
}

// day keeps the date only (RFC 3501 compares dates, not times).
func day(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
