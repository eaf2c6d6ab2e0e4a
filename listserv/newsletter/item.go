package newsletter

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ErrInvalid: an item or setting that cannot be used; the message says
// which field and why.
var ErrInvalid = errors.New("invalid")

// DefaultOpenFor is how long an ask or offer without a closing date stays
// open.
const DefaultOpenFor = 28 * 24 * time.Hour

// Limits of an item's text fields.
const (
	maxTitle   = 200
	maxSummary = 2000
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// ParseDate reads a closing or publication date, YYYY-MM-DD, as
// midnight UTC of that date.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, invalid("%s must be a date like 2027-01-31, not %q", field, s)
	}
	return t, nil
}

// ParseTime reads an event's start or end: RFC 3339 (2027-01-31T18:00:00Z
// or with an offset), or a local "2027-01-31 18:00" in zone.
func ParseTime(field, s string, zone *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalid("%s must be a time like 2027-01-31T18:00:00Z or \"2027-01-31 18:00\", not %q", field, s)
}

// Normalize fills defaults (zone, closing date, end of an event) and
// checks an item, saying which field is wrong.
func Normalize(it *store.Item, now time.Time) error {
	it.Title = strings.TrimSpace(it.Title)
	it.Summary = strings.TrimSpace(strings.ReplaceAll(it.Summary, "\r\n", "\n"))
	if !slices.Contains(store.ItemKinds, it.Kind) {
		return invalid("kind must be event, research, ask or offer, not %q", it.Kind)
	}
	if it.Title == "" {
		return invalid("a title is needed")
	}
	if strings.ContainsAny(it.Title+it.By+it.Location+it.Region, "\r\n") {
		return invalid("title, by, location and region must each be one line")
	}
	if utf8.RuneCountInString(it.Title) > maxTitle || utf8.RuneCountInString(it.Summary) > maxSummary {
		return invalid("the title may have at most %d characters and the summary %d", maxTitle, maxSummary)
	}
	for name, u := range map[string]string{"url": it.URL, "online link": it.OnlineURL, "booking link": it.BookingURL} {
		if err := checkURL(name, u); err != nil {
			return err
		}
	}
	it.Topics = store.NormalizeTopics(it.Topics)
	switch it.Kind {
	case store.ItemEvent:
		return normalizeEvent(it)
	case store.ItemAsk, store.ItemOffer:
		if it.Closes.IsZero() {
			it.Closes = now.Add(DefaultOpenFor).UTC().Truncate(24 * time.Hour)
		}
		if it.State == store.ItemPending && it.Closes.Before(now.UTC().Truncate(24*time.Hour)) {
			return invalid("the closing date %s has passed", it.Closes.UTC().Format(time.DateOnly))
		}
	}
	return nil
}

func normalizeEvent(it *store.Item) error {
	if it.Zone == "" {
		it.Zone = "Europe/London"
	}
	if _, err := time.LoadLocation(it.Zone); err != nil || it.Zone == "Local" {
		return invalid("time zone %q is unknown (use an IANA name such as Europe/London)", it.Zone)
	}
	if it.Starts.IsZero() {
		return invalid("an event needs a start time")
	}
	if it.Ends.IsZero() {
		it.Ends = it.Starts.Add(time.Hour)
		if it.AllDay {
			it.Ends = it.Starts.Add(24 * time.Hour)
		}
	}
	if it.Ends.Before(it.Starts) {
		return invalid("an event cannot end (%s) before it starts (%s)", it.Ends.Format(time.RFC3339), it.Starts.Format(time.RFC3339))
	}
	return nil
}

func checkURL(name, s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("%s must be a web address starting https:// or http://, not %q", name, s)
	}
	return nil
}

// KindLabel is how a kind is named in mail and on pages.
func KindLabel(kind string) string {
	switch kind {
	case store.ItemEvent:
		return "Event"
	case store.ItemResearch:
		return "Research"
	case store.ItemAsk:
		return "Ask"
	case store.ItemOffer:
		return "Offer"
	}
	return kind
}

// SectionOf is the subscriber section an item kind belongs to
// (subscribe.Sections: events, research, asks, offers).
func SectionOf(kind string) string {
	if kind == store.ItemResearch {
		return kind
	}
	return kind + "s"
}
