package web_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/demnet-uk/listserv/internal/icalcheck"
	"github.com/demnet-uk/listserv/listserv/calendar"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/web"
)

const siteURL = "https://lists.example.org"

// fetchAs GETs url and checks the status and media type.
func fetchAs(t *testing.T, url string, status int, mediaType string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d\n%s", url, resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); status == http.StatusOK && !strings.HasPrefix(ct, mediaType) {
		t.Fatalf("GET %s: Content-Type %q, want %s", url, ct, mediaType)
	}
	return b
}

// goEvents parses a calendar with golang-ical, checking every physical
// line is at most 75 octets and whole UTF-8.
func goEvents(t *testing.T, b []byte) []*ics.VEvent {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Fatalf("bad line (%d octets): %q", len(l), l)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return cal.Events()
}

func uid(it *store.Item) string { return calendar.UID(siteURL, it.ID) }

// TestEventsCalendar: /events.ics holds the live events that are
// upcoming or ended in the last 30 days, read back alike by golang-ical
// and Debian's python3-icalendar (titles, UIDs, instants on both sides of
// London's clock changes, all-day dates); an event edited after
// publication comes back with the same UID and a higher SEQUENCE, in the
// site calendar and in its own .ics; a newsletter's calendar holds only
// its events.
func TestEventsCalendar(t *testing.T) {
	stores(t, func(t *testing.T, st store.Store) {
		f := seedFeeds(t, st)
		f.march.Title = strings.Repeat("é", 29) + " Assembly — Cynulliad 😀 " + strings.Repeat("ŵ", 40)
		if err := st.UpdateItem(t.Context(), f.march); err != nil {
			t.Fatal(err)
		}
		base := site(t, st, web.Options{BaseURL: siteURL})
		body := fetchAs(t, base+"/events.ics", http.StatusOK, "text/calendar")
		want := []*store.Item{f.recent, f.online, f.allDay, f.march, f.october} // by start
		evs := goEvents(t, body)
		if len(evs) != len(want) {
			t.Fatalf("%d events in /events.ics, want %d:\n%s", len(evs), len(want), body)
		}
		for i, ev := range evs {
			it := want[i]
			if ev.Id() != uid(it) || ev.GetProperty(ics.ComponentPropertySummary).Value != it.Title {
				t.Errorf("event %d: %s %q, want %s %q", i, ev.Id(), ev.GetProperty(ics.ComponentPropertySummary).Value, uid(it), it.Title)
			}
			if it.AllDay {
				continue
			}
			if s, err := ev.GetStartAt(); err != nil || !s.Equal(it.Starts) {
				t.Errorf("%s starts %v (%v), want %v", it.Title, s, err, it.Starts)
			}
		}
		py := icalcheck.Parse(t, body)
		if py.Method != "PUBLISH" || len(py.Events) != len(want) || strings.Join(py.Zones, ",") != "Europe/London" {
			t.Fatalf("python read %+v", py)
		}
		for i, ev := range py.Events {
			it := want[i]
			if ev.UID != uid(it) || ev.Summary != it.Title {
				t.Errorf("python event %d: %s %q", i, ev.UID, ev.Summary)
			}
			if it.AllDay {
				if !ev.AllDay || ev.Start != it.Starts.Format("2006-01-02") {
					t.Errorf("python all-day event: %+v", ev)
				}
				continue
			}
			if s, v := icalcheck.Time(t, ev.Start), icalcheck.Time(t, ev.StartVTZ); ev.TZID != "Europe/London" ||
				!s.Equal(it.Starts) || !v.Equal(it.Starts) {
				t.Errorf("python %s: %s (VTIMEZONE %s) in %s, want %v", it.Title, ev.Start, ev.StartVTZ, ev.TZID, it.Starts)
			}
		}
		if !strings.HasSuffix(py.Events[3].Start, "+01:00") || !strings.HasSuffix(py.Events[4].Start, "+00:00") {
			t.Errorf("BST then GMT expected: %s, %s", py.Events[3].Start, py.Events[4].Start)
		}

		// Edit the March event after publication: new time and title.
		seq := py.Events[3].Sequence
		edited, err := st.GetItem(t.Context(), f.march.ID)
		if err != nil {
			t.Fatal(err)
		}
		edited.Title, edited.Starts, edited.Ends = "Assembly (moved)", edited.Starts.Add(time.Hour), edited.Ends.Add(time.Hour)
		if err := st.UpdateItem(t.Context(), edited); err != nil {
			t.Fatal(err)
		}
		again := icalcheck.Parse(t, fetchAs(t, base+"/events.ics", http.StatusOK, "text/calendar"))
		ev := again.Events[3]
		if ev.UID != uid(f.march) || ev.Summary != "Assembly (moved)" || ev.Sequence <= seq ||
			!icalcheck.Time(t, ev.Start).Equal(edited.Starts) || ev.LastModified < py.Events[3].LastModified {
			t.Errorf("after the edit: %+v (sequence was %d)", ev, seq)
		}
		one := icalcheck.Parse(t, fetchAs(t, base+"/items/"+strconv.FormatInt(f.march.ID, 10)+".ics", http.StatusOK, "text/calendar"))
		if len(one.Events) != 1 || one.Events[0].UID != ev.UID || one.Events[0].Sequence != ev.Sequence ||
			strings.Join(one.Zones, ",") != "Europe/London" {
			t.Errorf("the event's own .ics: %+v", one)
		}

		// A newsletter's calendar, and what has none.
		nl := goEvents(t, fetchAs(t, base+"/newsletters/other.lists.example.org/events.ics", http.StatusOK, "text/calendar"))
		if len(nl) != 1 || nl[0].Id() != uid(f.october) {
			t.Errorf("other newsletter's calendar: %d events", len(nl))
		}
		fetchAs(t, base+"/newsletters/team.lists.example.org/events.ics", http.StatusNotFound, "")
		fetchAs(t, base+"/newsletters/nothing.example.org/events.ics", http.StatusNotFound, "")
		for _, it := range []*store.Item{f.pending, f.withdrawn, f.turnout} {
			fetchAs(t, base+"/items/"+strconv.FormatInt(it.ID, 10)+".ics", http.StatusNotFound, "")
		}
		fetchAs(t, base+"/items/999999.ics", http.StatusNotFound, "")
	})
}
