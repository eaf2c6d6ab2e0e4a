package calendar

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	ics "github.com/arran4/golang-ical"
)

// golang-ical writes only the TZID of a VTIMEZONE (AddTimezone), so this
// file derives the observances from Go's own zone data (RFC 5545 3.6.5):
// the zone's offset changes are found with time.Time.ZoneBounds and, when
// every year in range changes on the same rule (Europe/London: last Sunday
// of March at 01:00 GMT, last Sunday of October at 02:00 BST), written as
// a yearly RRULE; otherwise each change is written as its own observance.

// change is one change of a zone's UTC offset.
type change struct {
	at       time.Time // the instant
	from, to int       // offsets in seconds east of UTC
	name     string    // abbreviation from then on (GMT, BST)
	dst      bool
}

// local is the wall time the change happens at, in the offset before it
// (RFC 5545: DTSTART of an observance is in TZOFFSETFROM's local time).
func (c change) local() time.Time { return c.at.Add(time.Duration(c.from) * time.Second).UTC() }

// changes lists a zone's offset changes in [from, to).
func changes(loc *time.Location, from, to time.Time) []change {
	var out []change
	t := from
	for {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) || !end.After(t) {
			return out
		}
		_, before := end.Add(-time.Second).In(loc).Zone()
		name, after := end.In(loc).Zone()
		if before != after {
			out = append(out, change{at: end, from: before, to: after, name: name, dst: end.In(loc).IsDST()})
		}
		t = end
	}
}

// rule is a yearly change: month, which weekday of it, wall time.
type rule struct {
	month    time.Month
	weekday  time.Weekday
	clock    time.Duration // since local midnight
	from, to int
	name     string
	dst      bool
	nth      []int // candidate BYDAY ordinals: 1..5 and -1
}

func ruleOf(c change) rule {
	l := c.local()
	day := l.Day()
	nth := []int{(day-1)/7 + 1}
	if day+7 > daysIn(l.Month(), l.Year()) {
		nth = append(nth, -1)
	}
	clock := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute + time.Duration(l.Second())*time.Second
	return rule{month: l.Month(), weekday: l.Weekday(), clock: clock, from: c.from, to: c.to, name: c.name, dst: c.dst, nth: nth}
}

func daysIn(m time.Month, year int) int { return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// same reports whether two years' rules agree, narrowing a's ordinals to
// those both allow.
func (a *rule) same(b rule) bool {
	if a.month != b.month || a.weekday != b.weekday || a.clock != b.clock || a.from != b.from || a.to != b.to ||
		a.name != b.name || a.dst != b.dst {
		return false
	}
	a.nth = slices.DeleteFunc(a.nth, func(n int) bool { return !slices.Contains(b.nth, n) })
	return len(a.nth) > 0
}

// yearlyRules returns one rule per change of the first year when every
// year in [first, last] changes on the same rules; nil when not.
func yearlyRules(loc *time.Location, first, last int) ([]rule, []change) {
	var rules []rule
	var onsets []change
	for y := first; y <= last; y++ {
		cs := changes(loc, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC))
		if y == first {
			onsets = cs
			for _, c := range cs {
				rules = append(rules, ruleOf(c))
			}
			continue
		}
		if len(cs) != len(rules) {
			return nil, nil
		}
		for i, c := range cs {
			if !rules[i].same(ruleOf(c)) {
				return nil, nil
			}
		}
	}
	return rules, onsets
}

var byday = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func (r rule) rrule() string {
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(r.month), r.nth[0], byday[r.weekday])
}

// Timezone builds the VTIMEZONE of zone valid for events in the years
// first to last: its rules from the year before first (so the start of
// first is covered) through the year after last.
func Timezone(zone string, first, last int) (*ics.VTimezone, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("calendar: time zone %q: %w", zone, err)
	}
	tz := ics.NewTimezone(zone)
	first, last = first-1, last+1
	if rules, onsets := yearlyRules(loc, first, last); len(rules) > 0 {
		for i, r := range rules {
			observance(tz, onsets[i], r.rrule())
		}
		return tz, nil
	}
	cs := changes(loc, time.Date(first, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(last+1, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(cs) == 0 {
		// No change in range: one fixed observance (Asia/Tokyo, or a zone
		// that dropped summer time).
		name, off := time.Date(first, 1, 1, 0, 0, 0, 0, loc).Zone()
		cs = []change{{at: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Duration(off) * time.Second),
			from: off, to: off, name: name}}
	}
	for _, c := range cs {
		observance(tz, c, "")
	}
	return tz, nil
}

// observance adds a STANDARD or DAYLIGHT sub-component starting at c.
func observance(tz *ics.VTimezone, c change, rrule string) {
	var cb *ics.ComponentBase
	if c.dst {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		cb = &d.ComponentBase
	} else {
		cb = &tz.AddStandard().ComponentBase
	}
	cb.AddProperty(ics.ComponentProperty(ics.PropertyDtstart), c.local().Format(localFormat))
	cb.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), offset(c.from))
	cb.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), offset(c.to))
	cb.AddProperty(ics.ComponentProperty(ics.PropertyTzname), c.name)
	if rrule != "" {
		cb.AddProperty(ics.ComponentPropertyRrule, rrule)
	}
}

// offset is a UTC-OFFSET value: +0100, -0330, +051236 (RFC 5545 3.3.14).
func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := sign + pad(sec/3600) + pad(sec/60%60)
	if sec%60 != 0 {
		s += pad(sec % 60)
	}
	return s
}

func pad(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
