package newsletter

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Matching: when an ask and an open offer (or the reverse) share a topic
// or a word of their titles (stop words and words under three letters
// left out), both posters are told of the other, once per pair
// (Store.MatchItems records the pair with the notices). Each round
// looks at asks and offers approved since the previous round (after a
// restart, the past week), against the open items of the other kind.

const (
	matchLookback = 7 * 24 * time.Hour
	maxCandidates = 500
)

// stopWords are left out of title matching: common English words and
// the words every ask and offer uses.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the and for with from into onto that this these those are was were will would
		can could our your their his her its you they them who what when where which while have has had not but any all
		some more most other such only own same than too very just about over under after before again also per via
		need needs needed needing want wanted wants looking seeking ask asks asking request requested offer offers offered
		offering available free help please urgent someone anyone something anything people group groups new`) {
		stopWords[w] = true
	}
}

// titleWords are a title's lower-case words worth matching on.
func titleWords(title string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) >= 3 && !stopWords[w] {
			out[w] = true
		}
	}
	return out
}

// Matches reports whether an ask and an offer share a topic or a title
// word.
func Matches(a, b *store.Item) bool {
	for _, t := range a.Topics {
		for _, u := range b.Topics {
			if t == u {
				return true
			}
		}
	}
	bw := titleWords(b.Title)
	for w := range titleWords(a.Title) {
		if bw[w] {
			return true
		}
	}
	return false
}

// match tells posters of new asks and offers about matching open ones.
func (e *Engine) match(ctx context.Context, now time.Time) error {
	e.matchMu.Lock()
	defer e.matchMu.Unlock()
	since := e.matchedUpTo
	if since.IsZero() {
		since = now.Add(-matchLookback)
	}
	f := store.ItemFilter{Kinds: []string{store.ItemAsk, store.ItemOffer}, States: live, ClosesAfter: now, ApprovedFrom: since}
	fresh, err := e.st.ListItems(ctx, f, maxCandidates)
	if err != nil {
		return err
	}
	for _, it := range fresh {
		if err := e.matchOne(ctx, it, now); err != nil {
			return err
		}
	}
	e.matchedUpTo = now.Add(-time.Minute) // overlap: an approval committing during this round is seen next time
	return nil
}

func (e *Engine) matchOne(ctx context.Context, it *store.Item, now time.Time) error {
	other := store.ItemOffer
	if it.Kind == store.ItemOffer {
		other = store.ItemAsk
	}
	cands, err := e.st.ListItems(ctx, store.ItemFilter{ListID: it.ListID, Kinds: []string{other}, States: live, ClosesAfter: now}, maxCandidates)
	if err != nil {
		return err
	}
	for _, c := range cands {
		if !Matches(it, c) || c.Submitter == "" || it.Submitter == "" || c.Submitter == it.Submitter {
			continue
		}
		ask, offer := it, c
		if it.Kind == store.ItemOffer {
			ask, offer = c, it
		}
		l, err := e.st.GetListByID(ctx, it.ListID)
		if err != nil {
			return err
		}
		var ms []*store.QueuedMail
		for _, p := range [][2]*store.Item{{ask, offer}, {offer, ask}} {
			m, err := e.letter(l, p[0].Submitter, "A possible match for "+p[0].Title, e.matchNotice(l, p[0], p[1]), "")
			if err != nil {
				e.log.Warn("match notice", "item", p[0].ID, "err", err)
				continue
			}
			ms = append(ms, m)
		}
		done, err := e.st.MatchItems(ctx, ask.ID, offer.ID, ms)
		if err != nil {
			return err
		}
		if done {
			e.log.Info("ask and offer matched", "ask", ask.ID, "offer", offer.ID)
			if e.Queued != nil {
				e.Queued()
			}
		}
	}
	return nil
}

// matchNotice tells mine's poster about other: what it is, its page and
// how to respond to its poster (only to them).
func (e *Engine) matchNotice(l *store.List, mine, other *store.Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Your %s “%s” in %s may meet this %s:\n\n  %s\n", strings.ToLower(KindLabel(mine.Kind)), mine.Title,
		Name(l), strings.ToLower(KindLabel(other.Kind)), other.Title)
	if other.By != "" {
		fmt.Fprintf(&b, "  from %s\n", other.By)
	}
	if other.Summary != "" {
		fmt.Fprintf(&b, "\n%s\n", other.Summary)
	}
	fmt.Fprintf(&b, "\nDetails: %s\n", ItemURL(e.cfg.BaseURL, other.ID))
	if other.Respond != "" {
		fmt.Fprintf(&b, "To respond: %s\n", other.Respond)
	}
	b.WriteString("\nIts poster has been told about yours too. Replies go between the two of you, never to the whole network.\n")
	return b.String()
}
