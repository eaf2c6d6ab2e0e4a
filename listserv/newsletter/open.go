package newsletter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Asks and offers live until their closing date. Three days before it
// their poster is asked "still open?" with two links, "extend 2 weeks"
// and "it's done" (a GET shows a button, the POST acts: link scanners
// open every URL). The links carry a MAC of the item and, for extending,
// its closing date: once extended, the old link says so instead of
// extending again.

// Timings of open items.
const (
	RemindBefore = 3 * 24 * time.Hour
	ExtendBy     = 14 * 24 * time.Hour
	// maxRemind bounds one round's reminders (the rest wait a round).
	maxRemind = 200
)

// OpenStore is what the life of asks and offers needs.
type OpenStore interface {
	SetItemState(ctx context.Context, id int64, from []string, state string) (*store.Item, error)
	RemindItem(ctx context.Context, id int64, closes time.Time, m *store.QueuedMail) (bool, error)
	ExtendItem(ctx context.Context, id int64, closes time.Time) (*store.Item, error)
	MatchItems(ctx context.Context, askID, offerID int64, ms []*store.QueuedMail) (bool, error)
}

// ErrBadLink: an extend or done link that is damaged, for another item,
// or for a closing date that has since moved.
var ErrBadLink = errors.New("this link does not work any more")

func extendData(it *store.Item) string {
	return "extend:" + strconv.FormatInt(it.ID, 10) + ":" + strconv.FormatInt(it.Closes.UnixMilli(), 10)
}

func doneData(id int64) string { return "done:" + strconv.FormatInt(id, 10) }

// ExtendURL and DoneURL are the links in the "still open?" mail.
func (e *Engine) ExtendURL(it *store.Item) string {
	return ItemURL(e.cfg.BaseURL, it.ID) + "/extend?t=" + e.tokens.MAC("item", extendData(it))
}

// DoneURL closes the item.
func (e *Engine) DoneURL(it *store.Item) string {
	return ItemURL(e.cfg.BaseURL, it.ID) + "/done?t=" + e.tokens.MAC("item", doneData(it.ID))
}

// CheckLink reports whether tok is the item's current link for action
// ("extend" or "done").
func (e *Engine) CheckLink(it *store.Item, action, tok string) bool {
	if action == "extend" {
		return e.tokens.CheckMAC("item", extendData(it), tok)
	}
	return e.tokens.CheckMAC("item", doneData(it.ID), tok)
}

// Extend moves an open ask's or offer's closing date two weeks on (from
// today when it has already passed), if tok is its current link.
func (e *Engine) Extend(ctx context.Context, id int64, tok string) (*store.Item, error) {
	it, err := e.st.GetItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if !e.CheckLink(it, "extend", tok) {
		return it, ErrBadLink
	}
	from := e.cfg.Now().UTC().Truncate(24 * time.Hour)
	if it.Closes.After(from) {
		from = it.Closes
	}
	closes := from.Add(ExtendBy)
	it, err = e.st.ExtendItem(ctx, id, closes)
	if err == nil {
		e.log.Info("item extended", "item", id, "closes", closes.Format(time.DateOnly))
	}
	return it, err
}

// Done closes an ask or offer its poster says is done (archived like an
// expired one).
func (e *Engine) Done(ctx context.Context, id int64, tok string) (*store.Item, error) {
	it, err := e.st.GetItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if !e.CheckLink(it, "done", tok) {
		return it, ErrBadLink
	}
	it, err = e.st.SetItemState(ctx, id, live, store.ItemExpired)
	if err == nil {
		e.log.Info("item closed by its poster", "item", id)
	}
	return it, err
}

// remind sends "still open?" to the posters of asks and offers closing
// within three days, once per closing date.
func (e *Engine) remind(ctx context.Context, now time.Time) error {
	f := store.ItemFilter{Kinds: []string{store.ItemAsk, store.ItemOffer}, States: live, ClosesAfter: now,
		ClosesBefore: now.Add(RemindBefore)}
	its, err := e.st.ListItems(ctx, f, maxRemind)
	if err != nil {
		return err
	}
	for _, it := range its {
		if it.Submitter == "" || it.Reminded.Equal(it.Closes) {
			continue
		}
		l, err := e.st.GetListByID(ctx, it.ListID)
		if err != nil {
			return err
		}
		m, err := e.letter(l, it.Submitter, "Still open? "+it.Title, e.stillOpen(l, it), "")
		if err != nil {
			e.log.Warn("still-open mail", "item", it.ID, "err", err)
			continue
		}
		if _, err := e.st.RemindItem(ctx, it.ID, it.Closes, m); err != nil {
			return err
		}
		if e.Queued != nil {
			e.Queued()
		}
	}
	return nil
}

func (e *Engine) stillOpen(l *store.List, it *store.Item) string {
	return fmt.Sprintf("Your %s “%s” in %s closes on %s.\n\n"+
		"Is it still open? Keep it for two more weeks:\n\n  %s\n\n"+
		"Or, if it is done, take it down now:\n\n  %s\n\n"+
		"If you do nothing, it leaves the newsletter after its closing date.\n"+
		"Each link opens a page with one button; nothing changes until you press it.\n",
		KindLabel(it.Kind), it.Title, Name(l), it.Closes.UTC().Format("Monday 2 January 2006"), e.ExtendURL(it), e.DoneURL(it))
}
