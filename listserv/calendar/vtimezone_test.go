package calendar_test

import (
	"sort"
	"strconv"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/teambition/rrule-go"

	"github.com/demnet-uk/listserv/listserv/calendar"
)

// onset is when an observance starts and the offset from then on.
type onset struct {
	at     time.Time
	offset int
}

// onsets expands a VTIMEZONE's observances (DTSTART in TZOFFSETFROM wall
// time, repeated by RRULE) into instants up to until, sorted.
func onsets(t *testing.T, tz *ics.VTimezone, until time.Time) []onset {
	t.Helper()
	var out []onset
	for _, c := range tz.Components {
		var cb *ics.ComponentBase
		switch c := c.(type) {
		case *ics.Standard:
			cb = &c.ComponentBase
		case *ics.Daylight:
			cb = &c.ComponentBase
		default:
			t.Fatalf("unexpected %T in VTIMEZONE", c)
		}
		prop := func(name ics.Property) string {
			p := cb.GetProperty(ics.ComponentProperty(name))
			if p == nil {
				t.Fatalf("observance lacks %s", name)
			}
			return p.Value
		}
		from, to := parseOffset(t, prop(ics.PropertyTzoffsetfrom)), parseOffset(t, prop(ics.PropertyTzoffsetto))
		wall, err := time.Parse("20060102T150405", prop(ics.PropertyDtstart))
		if err != nil {
			t.Fatal(err)
		}
		start := wall.Add(-time.Duration(from) * time.Second)
		if p := cb.GetProperty(ics.ComponentPropertyRrule); p != nil {
			opt, err := rrule.StrToROption(p.Value)
			if err != nil {
				t.Fatal(err)
			}
			// Expand in wall time, as RFC 5545 does, then shift to UTC.
			opt.Dtstart = wall
			r, err := rrule.NewRRule(*opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range r.Between(wall, until, true) {
				out = append(out, onset{w.Add(-time.Duration(from) * time.Second), to})
			}
			continue
		}
		out = append(out, onset{start, to})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 {
		t.Fatalf("bad UTC offset %q", s)
	}
	n := func(a string) int { v, _ := strconv.Atoi(a); return v }
	sec := n(s[1:3])*3600 + n(s[3:5])*60
	if len(s) == 7 {
		sec += n(s[5:7])
	}
	if s[0] == '-' {
		sec = -sec
	}
	return sec
}

// TestTimezoneMatchesGo evaluates the written VTIMEZONE every half hour
// of 2027–2028 and compares its UTC offset with Go's zone data, for zones
// with northern and southern summer time, a half-hour shift (Lord Howe),
// none at all, and irregular changes (Casablanca's Ramadan rule, written
// as single observances).
func TestTimezoneMatchesGo(t *testing.T) {
	for _, zone := range []string{"Europe/London", "Europe/Berlin", "America/New_York", "Australia/Sydney",
		"Australia/Lord_Howe", "Pacific/Auckland", "Asia/Tokyo", "Asia/Kolkata", "America/Sao_Paulo", "Africa/Casablanca"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		tz, err := calendar.Timezone(zone, 2027, 2028)
		if err != nil {
			t.Fatal(err)
		}
		from, to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
		os := onsets(t, tz, to.AddDate(1, 0, 0))
		if len(os) == 0 || !os[0].at.Before(from) {
			t.Fatalf("%s: the first observance does not cover %v: %+v", zone, from, os)
		}
		bad := 0
		for at, i := from, 0; at.Before(to); at = at.Add(30 * time.Minute) {
			for i+1 < len(os) && !os[i+1].at.After(at) {
				i++
			}
			_, want := at.In(loc).Zone()
			if os[i].offset != want && bad < 3 {
				bad++
				t.Errorf("%s at %v: VTIMEZONE says %+d s, Go says %+d s", zone, at, os[i].offset, want)
			}
		}
	}
}
