package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/atomcheck"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/web"
)

func permalinks(items ...*store.Item) string {
	var ids []string
	for _, it := range items {
		ids = append(ids, siteURL+"/items/"+strconv.FormatInt(it.ID, 10))
	}
	return strings.Join(ids, " ")
}

// entryIDs fetches an Atom feed, checks it is valid and returns its
// entries' ids and the feed.
func entryIDs(t *testing.T, url string) (string, *atomcheck.Parsed) {
	t.Helper()
	p := atomcheck.Parse(t, fetchAs(t, url, http.StatusOK, "application/atom+xml"))
	var ids []string
	for _, e := range p.Entries {
		ids = append(ids, e.ID)
	}
	return strings.Join(ids, " "), p
}

// TestAtomFeeds: every feed is valid Atom (required elements, self link
// with the feed's own URL as its id) and holds exactly the live items it
// is about, newest first; a newsletter's issue feed is empty but valid
// before its first issue and lists the issue once it is sent.
func TestAtomFeeds(t *testing.T) {
	stores(t, func(t *testing.T, st store.Store) {
		f := seedFeeds(t, st)
		base := site(t, st, web.Options{BaseURL: siteURL})
		for path, want := range map[string]string{
			"/events.atom":                           permalinks(f.allDay, f.online, f.october, f.march),
			"/research.atom":                         permalinks(f.housing, f.turnout),
			"/research.atom?topic=turnout":           permalinks(f.turnout),
			"/asks-offers.atom":                      permalinks(f.offer, f.ask),
			"/asks-offers.atom?kind=offer":           permalinks(f.offer),
			"/directory/org.atom?name=Democracy+Lab": permalinks(f.turnout, f.march),
		} {
			got, p := entryIDs(t, base+path)
			if got != want {
				t.Errorf("%s entries:\n got %s\nwant %s", path, got, want)
			}
			if p.ID != siteURL+path || atomcheck.Link(p.Links, "self") != siteURL+path {
				t.Errorf("%s: id %q, links %+v", path, p.ID, p.Links)
			}
		}
		// Any case finds the organisation; the feed's id is its canonical URL.
		if got, p := entryIDs(t, base+"/directory/org.atom?name=democracy+lab"); got != permalinks(f.turnout, f.march) ||
			p.ID != siteURL+"/directory/org.atom?name=Democracy+Lab" {
			t.Errorf("lower-case organisation feed: %s, id %s", got, p.ID)
		}
		fetchAs(t, base+"/directory/org.atom?name=Shy+Org", http.StatusNotFound, "")

		issues := base + "/newsletters/news.lists.example.org/issues.atom"
		if got, _ := entryIDs(t, issues); got != "" {
			t.Errorf("issues before the first: %s", got)
		}
		ctx := t.Context()
		date := time.Date(2027, 1, 11, 8, 0, 0, 0, time.UTC)
		is, err := st.CreateIssue(ctx, &store.NewsletterIssue{ListID: f.news.ID, Date: date, Intro: "Hello & welcome",
			ItemIDs: []int64{f.march.ID, f.turnout.ID}}, date.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := entryIDs(t, issues); got != "" {
			t.Errorf("an issue still being sent is in the feed: %s", got)
		}
		if err := st.FinishIssue(ctx, is.ID, date.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, p := entryIDs(t, issues)
		if got != siteURL+"/newsletters/news.lists.example.org/issues/1" || p.Entries[0].Title != "Weekly news: Issue 1, Monday 11 January 2027" ||
			!strings.Contains(p.Entries[0].Summary.Text, "Hello &amp; welcome<br><br>2 items.") {
			t.Errorf("issue feed: %s %+v", got, p.Entries)
		}
		fetchAs(t, base+"/newsletters/team.lists.example.org/issues.atom", http.StatusNotFound, "")
	})
}
