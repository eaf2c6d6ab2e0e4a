package calendar_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/demnet-uk/listserv/internal/icalcheck"
	"github.com/demnet-uk/listserv/listserv/calendar"
	"github.com/demnet-uk/listserv/listserv/store"
)

var london, _ = time.LoadLocation("Europe/London")

var fixedNow = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

func opts() calendar.Options {
	return calendar.Options{BaseURL: "https://lists.example.org", Name: "Events", Now: fixedNow}
}

// dstEvents are an event on each side of both 2027 clock changes in
// London (28 March and 31 October) and an all-day one on 28 March.
func dstEvents() []*store.Item {
	mk := func(id int64, title string, s time.Time, d time.Duration) *store.Item {
		return &store.Item{ID: id, Kind: store.ItemEvent, Title: title, Starts: s, Ends: s.Add(d), Zone: "Europe/London",
			Created: fixedNow, LastModified: fixedNow, Location: "Cardiff", Region: "Wales"}
	}
	allDay := mk(3, "Spring fair", time.Date(2027, 3, 28, 0, 0, 0, 0, london), 24*time.Hour)
	allDay.AllDay = true
	return []*store.Item{
		mk(1, "Assembly after the clocks go forward", time.Date(2027, 3, 29, 18, 0, 0, 0, london), 2*time.Hour),
		mk(2, "Hustings after the clocks go back", time.Date(2027, 10, 31, 10, 30, 0, 0, london), 90*time.Minute),
		allDay,
		mk(4, "Before the change", time.Date(2027, 3, 27, 18, 0, 0, 0, london), time.Hour),
	}
}

func write(t *testing.T, items []*store.Item) string {
	t.Helper()
	var b bytes.Buffer
	if err := calendar.Write(&b, items, opts()); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestRoundTrip parses the calendar back and finds each event's instant,
// wall time and UID; all-day events are DATE values.
func TestRoundTrip(t *testing.T) {
	items := dstEvents()
	out := write(t, items)
	for _, want := range []string{"METHOD:PUBLISH\r\n", "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n", "DTSTART;TZID=Europe/London:20270329T180000\r\n",
		"DTSTART;TZID=Europe/London:20271031T103000\r\n", "DTSTART;VALUE=DATE:20270328\r\n", "DTEND;VALUE=DATE:20270329\r\n",
		"DTSTAMP:20270301T090000Z\r\n", "SEQUENCE:0\r\n", "LAST-MODIFIED:20270301T090000Z\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("calendar lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "BEGIN:VTIMEZONE") != 1 {
		t.Errorf("want one VTIMEZONE:\n%s", out)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	evs := cal.Events()
	if len(evs) != len(items) {
		t.Fatalf("%d events back, want %d", len(evs), len(items))
	}
	for i, ev := range evs {
		it := items[i]
		if got := ev.Id(); got != calendar.UID("https://lists.example.org", it.ID) {
			t.Errorf("UID %q", got)
		}
		if got := ev.GetProperty(ics.ComponentPropertySummary).Value; got != it.Title {
			t.Errorf("SUMMARY %q, want %q", got, it.Title)
		}
		if it.AllDay {
			s, err := ev.GetAllDayStartAt()
			if err != nil || s.Format(time.DateOnly) != "2027-03-28" {
				t.Errorf("all-day start %v %v", s, err)
			}
			continue
		}
		s, err1 := ev.GetStartAt()
		e, err2 := ev.GetEndAt()
		if err1 != nil || err2 != nil || !s.Equal(it.Starts) || !e.Equal(it.Ends) {
			t.Errorf("%s: %v–%v (%v %v), want %v–%v", it.Title, s, e, err1, err2, it.Starts, it.Ends)
		}
	}
	// After the clocks change 18:00 is 17:00 UTC; after they go back 10:30 is 10:30 UTC.
	if items[0].Starts.UTC().Hour() != 17 || items[1].Starts.UTC().Hour() != 10 {
		t.Fatal("the fixture does not cross the clock changes")
	}
}

// TestFolding: no line is longer than 75 octets, no line splits a UTF-8
// character, and unfolding gives back the text, with multi-byte
// characters placed on and around the fold boundary.
func TestFolding(t *testing.T) {
	for pad := 0; pad < 8; pad++ {
		title := strings.Repeat("a", 60+pad) + "é€😀 Ŵales ärztliche Überprüfung 東京 " + strings.Repeat("😀", 30)
		it := dstEvents()[0]
		it.Title, it.Summary = title, strings.Repeat("ü", 100)+"\nsecond line, with; specials\\"
		out := write(t, []*store.Item{it})
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Fatalf("line of %d octets: %q", len(l), l)
			}
			if !utf8.ValidString(l) {
				t.Fatalf("line splits a character: %q", l)
			}
		}
		if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
			t.Fatal("bare LF in the calendar")
		}
		cal, err := ics.ParseCalendar(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		ev := cal.Events()[0]
		if got := ev.GetProperty(ics.ComponentPropertySummary).Value; got != title {
			t.Fatalf("pad %d: SUMMARY back %q, want %q", pad, got, title)
		}
		if got := ev.GetProperty(ics.ComponentPropertyDescription).Value; !strings.HasPrefix(got, it.Summary+"\n") {
			t.Fatalf("DESCRIPTION back %q", got)
		}
	}
}

// TestLondonRules: Europe/London is GMT in winter and BST from the last
// Sunday of March at 01:00 to the last Sunday of October at 02:00 (wall
// time), never GMT with summer rules.
func TestLondonRules(t *testing.T) {
	out := write(t, dstEvents())
	want := []string{
		"BEGIN:VTIMEZONE", "TZID:Europe/London",
		"BEGIN:DAYLIGHT", "DTSTART:20260329T010000", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "TZNAME:BST",
		"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
		"BEGIN:STANDARD", "DTSTART:20261025T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "TZNAME:GMT",
		"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD", "END:VTIMEZONE",
	}
	if !strings.Contains(out, strings.Join(want, "\r\n")+"\r\n") {
		t.Fatalf("VTIMEZONE is not London's:\n%s", out)
	}
}

// TestUTCAndUnknownZone: UTC events need no VTIMEZONE; an unknown zone is
// an error naming the event.
func TestUTCAndUnknownZone(t *testing.T) {
	it := dstEvents()[0]
	it.Zone = "UTC"
	out := write(t, []*store.Item{it})
	if strings.Contains(out, "VTIMEZONE") || !strings.Contains(out, "DTSTART:20270329T170000Z\r\n") {
		t.Fatalf("UTC event:\n%s", out)
	}
	it.Zone = "Mars/Olympus"
	err := calendar.Write(&bytes.Buffer{}, []*store.Item{it}, opts())
	if err == nil || !strings.Contains(err.Error(), "event 1") {
		t.Fatalf("unknown zone: %v", err)
	}
}

// TestPythonReadsBack: Debian's python3-icalendar, a parser independent
// of the library that writes, finds the same titles, UIDs and instants
// on both sides of the clock changes, and placing the wall times with the
// calendar's own VTIMEZONE (not its zone database) gives them too.
func TestPythonReadsBack(t *testing.T) {
	items := dstEvents()
	items[0].Title = strings.Repeat("é", 30) + " Cymru 😀 " + strings.Repeat("ŵ", 30)
	c := icalcheck.Parse(t, []byte(write(t, items)))
	if c.Method != "PUBLISH" || len(c.Zones) != 1 || c.Zones[0] != "Europe/London" || len(c.Events) != len(items) {
		t.Fatalf("python read: %+v", c)
	}
	for i, ev := range c.Events {
		it := items[i]
		if ev.UID != calendar.UID("https://lists.example.org", it.ID) || ev.Summary != it.Title {
			t.Errorf("event %d: uid %q summary %q", i, ev.UID, ev.Summary)
		}
		if it.AllDay {
			if !ev.AllDay || ev.Start != "2027-03-28" || ev.End != "2027-03-29" {
				t.Errorf("all-day event: %+v", ev)
			}
			continue
		}
		s, e, v := icalcheck.Time(t, ev.Start), icalcheck.Time(t, ev.End), icalcheck.Time(t, ev.StartVTZ)
		if ev.TZID != "Europe/London" || !s.Equal(it.Starts) || !e.Equal(it.Ends) || !v.Equal(it.Starts) {
			t.Errorf("%s: python %s–%s (VTIMEZONE %s, %s), want %v–%v", it.Title, ev.Start, ev.End, ev.StartVTZ, ev.TZID, it.Starts, it.Ends)
		}
	}
	// The offsets show the clocks changed: BST after 28 March, GMT after 31 October.
	if !strings.HasSuffix(c.Events[0].Start, "+01:00") || !strings.HasSuffix(c.Events[1].Start, "+00:00") {
		t.Errorf("offsets: %s, %s", c.Events[0].Start, c.Events[1].Start)
	}
}
