package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/web"
)

// shows checks which of the items' titles a page body shows.
func shows(t *testing.T, page, body string, want []*store.Item, not ...*store.Item) {
	t.Helper()
	body = html.UnescapeString(body)
	for _, it := range want {
		if !strings.Contains(body, it.Title) {
			t.Errorf("%s does not show %q", page, it.Title)
		}
	}
	for _, it := range not {
		if strings.Contains(body, it.Title) {
			t.Errorf("%s shows %q", page, it.Title)
		}
	}
}

var alternate = regexp.MustCompile(`<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">`)

// TestBrowsePages: /events, /research, /asks-offers and an
// organisation's page show the live items their filters choose, name
// their feed in <link rel="alternate"> (and the calendar by webcal:),
// and page with a keyset link that neither skips nor repeats.
func TestBrowsePages(t *testing.T) {
	stores(t, func(t *testing.T, st store.Store) {
		f := seedFeeds(t, st)
		base := site(t, st, web.Options{BaseURL: siteURL})
		page := func(path string, status int) string {
			t.Helper()
			return string(fetchAs(t, base+path, status, "text/html"))
		}
		hidden := []*store.Item{f.pending, f.withdrawn, f.old, f.draft, f.lapsed, f.expired}
		cases := []struct {
			path, feed string
			want, not  []*store.Item
		}{
			{"/events", "/events.atom", []*store.Item{f.online, f.allDay, f.march, f.october}, append(hidden, f.recent, f.turnout, f.ask)},
			{"/events?region=wales", "/events.atom", []*store.Item{f.march}, []*store.Item{f.october, f.online, f.allDay}},
			{"/events?region=north-east", "/events.atom", []*store.Item{f.online}, []*store.Item{f.march, f.october, f.allDay}},
			{"/events?region=scotland&attend=online", "/events.atom", []*store.Item{f.october}, []*store.Item{f.march, f.online}},
			{"/events?attend=online", "/events.atom", []*store.Item{f.online, f.october}, []*store.Item{f.march, f.allDay}},
			{"/events?attend=in-person", "/events.atom", []*store.Item{f.march, f.october, f.allDay}, []*store.Item{f.online}},
			{"/research", "/research.atom", []*store.Item{f.turnout, f.housing}, append(hidden, f.march, f.ask)},
			{"/research?topic=Housing", "/research.atom?topic=housing", []*store.Item{f.housing}, []*store.Item{f.turnout}},
			{"/asks-offers", "/asks-offers.atom", []*store.Item{f.ask, f.offer}, append(hidden, f.march, f.turnout)},
			{"/asks-offers?kind=offer", "/asks-offers.atom?kind=offer", []*store.Item{f.offer}, []*store.Item{f.ask}},
			{"/directory/org?name=democracy%20lab", "/directory/org.atom?name=Democracy+Lab", []*store.Item{f.march, f.turnout},
				[]*store.Item{f.october, f.housing, f.ask}},
		}
		for _, c := range cases {
			body := page(c.path, http.StatusOK)
			shows(t, c.path, body, c.want, c.not...)
			if m := alternate.FindStringSubmatch(body); m == nil || html.UnescapeString(m[1]) != c.feed {
				t.Errorf("%s names feed %v, want %s", c.path, m, c.feed)
			}
		}
		ev := page("/events", http.StatusOK)
		for _, want := range []string{`<link rel="alternate" type="text/calendar" title="Events (calendar)" href="/events.ics">`,
			`href="webcal://lists.example.org/events.ics"`, `<h2 id="day-`} {
			if !strings.Contains(ev, want) {
				t.Errorf("/events lacks %s", want)
			}
		}
		if dir := page("/directory", http.StatusOK); !strings.Contains(dir, `href="/directory/org?name=Democracy%20Lab"`) {
			t.Errorf("the directory does not link the organisation's page:\n%s", dir)
		}
		// The pages' links lead to the permalink, which offers the event's .ics.
		id := strconv.FormatInt(f.march.ID, 10)
		if !strings.Contains(ev, `href="/items/`+id+`"`) || !strings.Contains(page("/items/"+id, http.StatusOK), `/items/`+id+`.ics"`) {
			t.Errorf("/events and the permalink of event %s do not link as they should", id)
		}
		page("/directory/org?name=Shy+Org", http.StatusNotFound)
		page("/directory/org", http.StatusNotFound)

		// 25 pieces of research on one topic: 20, then 5, none twice.
		var paged []*store.Item
		for i := range 25 {
			it := &store.Item{ListID: f.news.ID, Kind: store.ItemResearch, State: store.ItemApproved,
				Title: "Paged study " + string(rune('A'+i)), Topics: []string{"paging"}}
			if err := st.AddItem(t.Context(), it); err != nil {
				t.Fatal(err)
			}
			paged = append(paged, it)
		}
		first := page("/research?topic=paging", http.StatusOK)
		next := regexp.MustCompile(`<a href="([^"]+)">Older research</a>`).FindStringSubmatch(first)
		if next == nil {
			t.Fatal("no link to the next page")
		}
		second := page(html.UnescapeString(next[1]), http.StatusOK)
		shows(t, "page 1", first, paged[5:], paged[:5]...)
		shows(t, "page 2", second, paged[:5], paged[5:]...)
		if strings.Contains(second, "Older research") {
			t.Error("page 2 links a third page")
		}
	})
}
