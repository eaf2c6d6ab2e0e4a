package newsletter

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/store"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// fixture is one issue on a fixed clock (Monday 22 March 2027, 08:00
// London): events on two dates, one of them after the clocks go forward,
// one all day; research; an ask and an offer; an introduction.
func fixture(t *testing.T) *Content {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2027, time.March, d, h, m, 0, 0, london) }
	l := &store.List{ID: 7, Address: "weekly@lists.example.org", Name: "Network weekly"}
	return &Content{
		List: l, Number: 12, Date: at(22, 8, 0), BaseURL: "https://lists.example.org",
		Intro: "Welcome to the spring issue.\n\nThank you to everyone who sent in events & research.",
		Events: []*store.Item{
			{ID: 101, Kind: store.ItemEvent, Title: "Community energy meet-up", Starts: at(24, 18, 0), Ends: at(24, 20, 0),
				Zone: "Europe/London", Location: "The Old Library, Cardiff", Region: "Wales", By: "Cardiff Energy Co-op",
				Summary: "An evening of short talks on shared solar roofs."},
			{ID: 102, Kind: store.ItemEvent, Title: "Funding clinic", Starts: at(24, 0, 0), Ends: at(25, 0, 0), AllDay: true,
				Zone: "Europe/London", OnlineURL: "https://meet.example.org/clinic", By: "Peer Funders"},
			{ID: 103, Kind: store.ItemEvent, Title: "Spring assembly", Starts: at(29, 10, 0), Ends: at(29, 16, 30),
				Zone: "Europe/London", Location: "Glasgow", Region: "Scotland", OnlineURL: "https://meet.example.org/assembly"},
		},
		Research: []*store.Item{
			{ID: 201, Kind: store.ItemResearch, Title: "Heat pumps in tenements", By: "University of Stirling",
				Published: time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC), Topics: []string{"housing", "energy"},
				Summary: "A two-year study of 40 buildings: what worked, what it cost, and what tenants thought."},
		},
		Asks: []*store.Item{
			{ID: 301, Kind: store.ItemAsk, Title: "Room for 30 people in Leeds", By: "Ann Example",
				Summary: "For a workshop on 14 April.", Respond: "Reply on the item's page; it reaches Ann only.",
				Closes: time.Date(2027, 4, 7, 0, 0, 0, 0, time.UTC)},
		},
		Offers: []*store.Item{
			{ID: 401, Kind: store.ItemOffer, Title: "Free legal advice sessions", By: "Law Clinic North",
				Summary: "Two hours a month for member groups.", Closes: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)},
		},
	}
}

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, got)
	}
}

func renderMail(t *testing.T, c *Content, format string) []byte {
	t.Helper()
	r, err := Render(c, format)
	if err != nil {
		t.Fatal(err)
	}
	return r.Mail(c.List, c.BaseURL, "TOKEN", MessageID(c.List, c.Number, 42))
}

// TestRenderGolden pins the whole mail in both formats and a
// personalised one (events and asks only).
func TestRenderGolden(t *testing.T) {
	c := fixture(t)
	golden(t, "html.golden", renderMail(t, c, store.FormatHTML))
	golden(t, "plain.golden", renderMail(t, c, store.FormatPlain))
	golden(t, "personal.golden", renderMail(t, c.Personal([]string{"events", "asks"}), store.FormatPlain))
}

// TestRenderContents checks what the golden files are meant to show, so
// an -update cannot bless a regression unnoticed.
func TestRenderContents(t *testing.T) {
	c := fixture(t)
	r, err := Render(c, store.FormatHTML)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Monday 29 March 2027", "10:00 to 16:30 BST", "18:00 to 20:00 GMT", "All day",
		"https://lists.example.org/items/101.ics", "https://lists.example.org/items/201",
		"Asks", "Offers", "(open until Wednesday 7\n  April 2027)", unsubMark,
		"https://lists.example.org/newsletters/weekly.lists.example.org/issues/12",
	} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for _, want := range []string{`<html lang="en-GB">`, `role="presentation"`, "max-width:580px", "font-size:19px",
		`<h2 style="font-size:27px;margin:30px 0 10px">Events</h2>`, "Add “Community energy meet-up” to your calendar",
		"events &amp; research"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if n := strings.Count(r.HTML, "<table"); n != strings.Count(r.HTML, `role="presentation"`) {
		t.Errorf("%d tables, but role=presentation %d times", n, strings.Count(r.HTML, `role="presentation"`))
	}
	m := string(renderMail(t, c, store.FormatHTML))
	for _, want := range []string{"List-Unsubscribe: <https://lists.example.org/u/TOKEN>",
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click", "List-Id:", "multipart/alternative", "https://lists.example.org/u/TOKEN"} {
		if !strings.Contains(m, want) {
			t.Errorf("mail lacks %q", want)
		}
	}
	if strings.Contains(m, unsubMark) {
		t.Error("the placeholder unsubscribe URL reached the mail")
	}
	p, err := Render(c.Personal([]string{"events", "asks"}), store.FormatPlain)
	if err != nil {
		t.Fatal(err)
	}
	if p.HTML != "" || strings.Contains(p.Text, "Heat pumps") || strings.Contains(p.Text, "legal advice") ||
		!strings.Contains(p.Text, "Room for 30") || !strings.Contains(p.Text, "Spring assembly") {
		t.Errorf("personal plain issue has the wrong sections:\n%s", p.Text)
	}
}

// TestHTMLIssueAccessible loads the golden HTML part in headless
// Chromium: axe-core WCAG 2.2 AA finds nothing, it reflows at 320 px,
// and its heading shows with JavaScript off.
func TestHTMLIssueAccessible(t *testing.T) {
	browser.Available(t)
	raw, err := os.ReadFile("testdata/html.golden")
	if err != nil {
		t.Fatal(err)
	}
	part, err := browser.HTMLPart(raw)
	if err != nil {
		t.Fatal(err)
	}
	url := browser.ServeHTML(t, part)
	var report struct {
		Pages []browser.Page
		NoJS  []struct{ Path, H1 string }
	}
	browser.Run(t, "smoke.mjs", map[string]any{"paths": []string{}, "urls": []string{url}}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.Pages) != 1 {
		t.Errorf("audited %d pages, want 1", len(report.Pages))
	}
	if len(report.NoJS) != 1 || report.NoJS[0].H1 != "Network weekly" {
		t.Errorf("heading with JavaScript off: %+v", report.NoJS)
	}
}
