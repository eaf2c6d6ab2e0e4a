// Package feeds writes Atom feeds (RFC 4287) of the newsletter's items
// and issues: research, asks and offers, events, and each newsletter's
// issues.
//
// Implementation notes: github.com/gorilla/feeds builds the document, but
// it takes a feed's <id> from its link, gives an entry without an id a
// random one on every request, and writes an empty <updated> when no time
// is set. So every id here is set explicitly (the feed's own URL, each
// entry's permalink, both stable), updated is never zero, and the feed
// carries both rel="self" and rel="alternate" links (gorilla's struct
// holds one; the second is added by wrapping it).
package feeds

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	gf "github.com/gorilla/feeds"
)

// ContentType is the media type to serve feeds with.
const ContentType = "application/atom+xml; charset=utf-8"

// Feed is one Atom feed.
type Feed struct {
	Title    string
	Subtitle string
	Self     string    // the feed's own URL, also its id
	Page     string    // the web page showing the same entries
	Author   string    // the feed's author, for entries without one
	Updated  time.Time // used only when there are no entries
	Entries  []Entry
}

// Entry is one item or issue.
type Entry struct {
	ID        string // a permalink: stable for the entry's life
	Title     string
	Link      string
	Author    string
	Text      string // plain text; written as escaped HTML with line breaks
	Published time.Time
	Updated   time.Time
}

// atomFeed holds the feed's self and alternate links, for which gorilla's
// feed struct has one field.
type atomFeed struct {
	*gf.AtomFeed
	Links []*gf.AtomLink
}

// Write writes f as an Atom document. Entries keep their order.
func Write(w io.Writer, f Feed) error {
	if f.Self == "" || f.Title == "" {
		return fmt.Errorf("feeds: a feed needs a title and its own URL")
	}
	g := &gf.Feed{Title: f.Title, Description: f.Subtitle, Link: &gf.Link{Href: f.Self},
		Author: &gf.Author{Name: f.Author}, Updated: f.updated()}
	for _, e := range f.Entries {
		it := &gf.Item{Id: e.ID, Title: e.Title, Link: &gf.Link{Href: e.Link}, Updated: e.Updated, Created: e.Published}
		if e.Text != "" {
			it.Description = htmlText(e.Text)
		}
		if e.Author != "" {
			it.Author = &gf.Author{Name: e.Author}
		}
		g.Items = append(g.Items, it)
	}
	af := (&gf.Atom{Feed: g}).AtomFeed()
	af.Id, af.Link = f.Self, nil // the links are atomFeed's
	for i, e := range f.Entries {
		if !e.Published.IsZero() {
			af.Entries[i].Published = e.Published.UTC().Format(time.RFC3339)
		}
		af.Entries[i].Updated = stamp(e.Updated, e.Published, f.updated())
	}
	out := atomFeed{AtomFeed: af, Links: []*gf.AtomLink{{Href: f.Self, Rel: "self", Type: "application/atom+xml"}}}
	if f.Page != "" {
		out.Links = append(out.Links, &gf.AtomLink{Href: f.Page, Rel: "alternate", Type: "text/html"})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("feeds: %w", err)
	}
	return nil
}

// updated is the newest entry's time, or f.Updated without entries
// (atom:updated is required even for an empty feed).
func (f Feed) updated() time.Time {
	var t time.Time
	for _, e := range f.Entries {
		if u := stampTime(e.Updated, e.Published); u.After(t) {
			t = u
		}
	}
	if t.IsZero() {
		t = f.Updated
	}
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC()
}

func stampTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func stamp(ts ...time.Time) string { return stampTime(ts...).UTC().Format(time.RFC3339) }

// htmlText turns plain text into the HTML a type="html" summary holds.
func htmlText(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
}
