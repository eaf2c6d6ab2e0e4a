package feeds_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/atomcheck"
	"github.com/demnet-uk/listserv/listserv/feeds"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestFeedValid writes items of every kind and reads them back.
func TestFeedValid(t *testing.T) {
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	items := []*store.Item{
		{ID: 7, Kind: store.ItemResearch, Title: "Turnout & <young> voters", Summary: "Line one\nLine <two>", By: "Lab",
			Topics: []string{"turnout"}, Published: at, Approved: at, LastModified: at.Add(time.Hour)},
		{ID: 8, Kind: store.ItemAsk, Title: "Venue in Leeds", Closes: at.AddDate(0, 0, 14), Created: at, LastModified: at},
		{ID: 9, Kind: store.ItemEvent, Title: "Assembly", Starts: at.AddDate(0, 1, 0), Ends: at.AddDate(0, 1, 0).Add(time.Hour),
			Zone: "Europe/London", Location: "Leeds", Created: at, LastModified: at},
	}
	f := feeds.Feed{Title: "Research", Self: "https://lists.example.org/research.atom", Page: "https://lists.example.org/research",
		Author: "lists.example.org"}
	for _, it := range items {
		f.Entries = append(f.Entries, feeds.ItemEntry("https://lists.example.org", it))
	}
	var b bytes.Buffer
	if err := feeds.Write(&b, f); err != nil {
		t.Fatal(err)
	}
	p := atomcheck.Parse(t, b.Bytes())
	if len(p.Links) != 2 || p.ID != f.Self || atomcheck.Link(p.Links, "alternate") != f.Page || p.Updated != "2027-03-01T10:00:00Z" {
		t.Errorf("feed id %q, links %+v, updated %q", p.ID, p.Links, p.Updated)
	}
	if len(p.Entries) != 3 {
		t.Fatalf("%d entries", len(p.Entries))
	}
	e := p.Entries[0]
	if e.ID != "https://lists.example.org/items/7" || e.Title != "Turnout & <young> voters" || e.Updated != "2027-03-01T10:00:00Z" ||
		e.Published != "2027-03-01T09:00:00Z" || e.Summary.Type != "html" ||
		!strings.Contains(e.Summary.Text, "Line one<br>Line &lt;two&gt;") {
		t.Errorf("research entry: %+v", e)
	}
	if p.Entries[1].Title != "Ask: Venue in Leeds" || !strings.Contains(p.Entries[1].Summary.Text, "Open until Monday 15 March 2027") {
		t.Errorf("ask entry: %+v", p.Entries[1])
	}
	if !strings.Contains(p.Entries[2].Summary.Text, "Thursday 1 April 2027, 10:00 to 11:00 BST") {
		t.Errorf("event entry: %+v", p.Entries[2])
	}
}

// TestEmptyFeedValid: a feed with no entries still has every required
// element, and a feed without its own URL is refused.
func TestEmptyFeedValid(t *testing.T) {
	var b bytes.Buffer
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := feeds.Write(&b, feeds.Feed{Title: "Issues", Self: "https://x.example/i.atom", Author: "x", Updated: at}); err != nil {
		t.Fatal(err)
	}
	if p := atomcheck.Parse(t, b.Bytes()); len(p.Entries) != 0 || p.Updated != "2027-03-01T09:00:00Z" {
		t.Errorf("empty feed: %+v", p)
	}
	if err := feeds.Write(&b, feeds.Feed{Title: "x"}); err == nil {
		t.Error("a feed without its URL was written")
	}
}
