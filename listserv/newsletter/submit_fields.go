package newsletter

import (
	"fmt"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// dateTimeLayouts are the ways people write a start or end; dateLayouts
// a whole day (an all-day event, a closing or publication date).
var (
	dateTimeLayouts = []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05",
		"2 January 2006 15:04", "2 Jan 2006 15:04", "Monday 2 January 2006 15:04", "Mon 2 Jan 2006 15:04",
		"02/01/2006 15:04", "2 January 2006, 15:04", "Monday 2 January 2006, 15:04"}
	dateLayouts = []string{time.DateOnly, "2 January 2006", "2 Jan 2006", "Monday 2 January 2006", "Mon 2 Jan 2006",
		"02/01/2006", "January 2 2006", "January 2, 2006"}
	clockLayouts = []string{"15:04", "15.04", "3pm", "3:04pm", "3 pm", "3:04 pm"}
)

// parseWhen reads a time in loc; day is true for a date without time.
func parseWhen(s string, loc *time.Location) (t time.Time, day bool, ok bool) {
	s = strings.Join(strings.Fields(s), " ")
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, true
	}
	for _, l := range dateTimeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, false, true
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true, true
		}
	}
	return time.Time{}, false, false
}

// parseClock reads "20:00" as that time on the date of on.
func parseClock(s string, on time.Time) (time.Time, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, l := range clockLayouts {
		if c, err := time.Parse(l, s); err == nil {
			return time.Date(on.Year(), on.Month(), on.Day(), c.Hour(), c.Minute(), 0, 0, on.Location()), true
		}
	}
	return time.Time{}, false
}

// FromFields builds an item of kind from a submission's fields (title
// is the default title, from the subject). Values it cannot read are
// left out and named in notes, for the sender and the editors;
// Normalize then says whether what is left is enough.
func FromFields(kind, title string, f Fields) (*store.Item, []string) {
	v := f.Values
	it := &store.Item{Kind: kind, Title: firstOf(v[FTitle], title), Summary: firstOf(v[FSummary], f.Rest),
		By: v[FBy], Location: v[FLocation], Region: v[FRegion], Respond: v[FRespond], Topics: Topics(v[FTopics])}
	var notes []string
	note := func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }
	for _, u := range []struct {
		name, val string
		dst       *string
	}{{"Link", v[FURL], &it.URL}, {"Online", v[FOnline], &it.OnlineURL}, {"Booking", v[FBooking], &it.BookingURL}} {
		if u.val == "" {
			continue
		}
		if checkURL(u.name, u.val) != nil {
			note("%s %q is not a web address starting https:// and was left out", u.name, u.val)
			continue
		}
		*u.dst = u.val
	}
	if kind == store.ItemEvent {
		it.Zone = "Europe/London"
		if z := v[FZone]; z != "" {
			if _, err := time.LoadLocation(z); err == nil && z != "Local" {
				it.Zone = z
			} else {
				note("time zone %q is unknown; Europe/London was used", z)
			}
		}
		eventTimes(it, v, zone(it.Zone), note)
	}
	for _, d := range []struct {
		name, val string
		dst       *time.Time
	}{{"Published", v[FPublished], &it.Published}, {"Closes", v[FCloses], &it.Closes}} {
		if d.val == "" {
			continue
		}
		t, _, ok := parseWhen(d.val, time.UTC)
		if !ok {
			note("%s %q is not a date like 2027-01-31 and was left out", d.name, d.val)
			continue
		}
		y, m, dd := t.Date()
		*d.dst = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	}
	return it, notes
}

func eventTimes(it *store.Item, v map[string]string, loc *time.Location, note func(string, ...any)) {
	if s := v[FStarts]; s != "" {
		t, day, ok := parseWhen(s, loc)
		if !ok {
			note("Starts %q is not a time like \"2027-01-31 18:00\"", s)
			return
		}
		it.Starts, it.AllDay = t, day
	}
	if a := strings.ToLower(v[FAllDay]); a == "yes" || a == "true" || a == "y" {
		it.AllDay = true
	}
	if it.AllDay && !it.Starts.IsZero() {
		it.Starts = time.Date(it.Starts.Year(), it.Starts.Month(), it.Starts.Day(), 0, 0, 0, 0, loc)
	}
	s := v[FEnds]
	if s == "" || it.Starts.IsZero() {
		return
	}
	if t, ok := parseClock(s, it.Starts.In(loc)); ok {
		it.Ends = t
		return
	}
	t, day, ok := parseWhen(s, loc)
	if !ok {
		note("Ends %q is not a time like \"2027-01-31 20:00\" and was left out", s)
		return
	}
	if day || it.AllDay {
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1) // the end of that day
	}
	it.Ends = t
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// zone loads a zone name, UTC when it does not load.
func zone(name string) *time.Location {
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.UTC
}
