package newsletter

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Per-section bounds of one issue: a readable email, not an archive.
const (
	maxEvents   = 200
	maxResearch = 100
	maxOpen     = 100
)

// Content is one issue's items, whole; Personal cuts it to a
// subscriber's sections.
type Content struct {
	List     *store.List
	Number   int       // 0 for a preview of the next issue
	Date     time.Time // the issue's date, in the newsletter's zone
	Intro    string
	Events   []*store.Item // in start order
	Research []*store.Item // newest first
	Asks     []*store.Item
	Offers   []*store.Item
	BaseURL  string
}

// EventDay is one date's events.
type EventDay struct {
	Day    time.Time
	Events []*store.Item
}

// Days groups the events by their local start date in the issue's zone.
func (c *Content) Days() []EventDay {
	var out []EventDay
	for _, e := range c.Events {
		s := e.Starts.In(c.Date.Location())
		d := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, c.Date.Location())
		if n := len(out); n > 0 && out[n-1].Day.Equal(d) {
			out[n-1].Events = append(out[n-1].Events, e)
			continue
		}
		out = append(out, EventDay{Day: d, Events: []*store.Item{e}})
	}
	return out
}

// Empty reports whether there is nothing to send.
func (c *Content) Empty() bool {
	return len(c.Events)+len(c.Research)+len(c.Asks)+len(c.Offers) == 0 && c.Intro == ""
}

// IDs are the items' ids, frozen into an issue.
func (c *Content) IDs() []int64 {
	var ids []int64
	for _, s := range [][]*store.Item{c.Events, c.Research, c.Asks, c.Offers} {
		for _, it := range s {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// Personal is the content a subscriber with these sections gets (none
// chosen: all of it).
func (c *Content) Personal(sections []string) *Content {
	if len(sections) == 0 {
		return c
	}
	p := *c
	keep := func(sec string, items []*store.Item) []*store.Item {
		if slices.Contains(sections, sec) {
			return items
		}
		return nil
	}
	p.Events, p.Research = keep("events", c.Events), keep("research", c.Research)
	p.Asks, p.Offers = keep("asks", c.Asks), keep("offers", c.Offers)
	return &p
}

// ItemReader is what compiling reads.
type ItemReader interface {
	ListItems(ctx context.Context, f store.ItemFilter, limit int) ([]*store.Item, error)
	GetItem(ctx context.Context, id int64) (*store.Item, error)
}

var live = []string{store.ItemApproved, store.ItemPublished}

// Compile gathers the next issue at now: events in the coming weeks in
// date order, research approved since the last issue, open asks and
// offers.
func Compile(ctx context.Context, st ItemReader, l *store.List, n *store.Newsletter, now time.Time, loc *time.Location) (*Content, error) {
	c := &Content{List: l, Date: now.In(loc), Intro: n.Intro}
	weeks := n.Weeks
	if weeks <= 0 {
		weeks = 6
	}
	var err error
	base := store.ItemFilter{ListID: l.ID, States: live}
	f := base
	f.Kinds, f.Order, f.StartsFrom, f.StartsBefore = []string{store.ItemEvent}, store.OrderStarts, now, now.AddDate(0, 0, 7*weeks)
	if c.Events, err = st.ListItems(ctx, f, maxEvents); err != nil {
		return nil, err
	}
	f = base
	f.Kinds, f.States = []string{store.ItemResearch}, []string{store.ItemApproved}
	if c.Research, err = st.ListItems(ctx, f, maxResearch); err != nil {
		return nil, err
	}
	f = base
	f.ClosesAfter = now
	f.Kinds = []string{store.ItemAsk}
	if c.Asks, err = st.ListItems(ctx, f, maxOpen); err != nil {
		return nil, err
	}
	f.Kinds = []string{store.ItemOffer}
	if c.Offers, err = st.ListItems(ctx, f, maxOpen); err != nil {
		return nil, err
	}
	return c, nil
}

// Load rebuilds a compiled issue's content from its frozen item ids,
// leaving out items withdrawn since (a resumed send, the web archive).
func Load(ctx context.Context, st ItemReader, l *store.List, is *store.NewsletterIssue, loc *time.Location) (*Content, error) {
	c := &Content{List: l, Number: is.Number, Date: is.Date.In(loc), Intro: is.Intro}
	for _, id := range is.ItemIDs {
		it, err := st.GetItem(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if it.State == store.ItemWithdrawn || it.State == store.ItemRejected {
			continue
		}
		switch it.Kind {
		case store.ItemEvent:
			c.Events = append(c.Events, it)
		case store.ItemResearch:
			c.Research = append(c.Research, it)
		case store.ItemAsk:
			c.Asks = append(c.Asks, it)
		case store.ItemOffer:
			c.Offers = append(c.Offers, it)
		}
	}
	slices.SortStableFunc(c.Events, func(a, b *store.Item) int { return a.Starts.Compare(b.Starts) })
	return c, nil
}
