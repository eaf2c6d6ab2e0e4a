package archive

import (
	"fmt"
	"strings"
	"time"

	"github.com/gorilla/feeds"

	"github.com/demnet-uk/listserv/listserv/store"
)

// FeedSize is how many recent posts a feed carries.
const FeedSize = 30

// summaryLen bounds an entry's text.
const summaryLen = 600

// Feed writes the Atom feed (RFC 4287) of a list's newest posts, newest
// first. base is the site's public URL. gorilla/feeds renders it; ids
// are tag: URIs (RFC 4151) on the post's row id, which survive the UID
// change of an erasure.
func Feed(l *store.List, base string, posts []*store.ArchivePost) (string, error) {
	base = strings.TrimRight(base, "/")
	archiveURL := base + "/lists/" + l.ListID() + "/archive"
	title := l.Name
	if title == "" {
		title = l.Address
	}
	f := &feeds.Feed{Title: title, Link: &feeds.Link{Href: archiveURL}, Description: l.Description,
		Updated: l.Created, Created: l.Created}
	tag := fmt.Sprintf("tag:%s,%s:%s", l.Domain(), l.Created.UTC().Format("2006-01-02"), l.LocalPart())
	for _, p := range posts {
		if p.Received.After(f.Updated) {
			f.Updated = p.Received
		}
		f.Items = append(f.Items, &feeds.Item{
			Title:       orNoSubject(p.Subject),
			Link:        &feeds.Link{Href: fmt.Sprintf("%s/lists/%s/m/%d", base, l.ListID(), p.UID)},
			Author:      &feeds.Author{Name: Author(p)},
			Description: summary(p),
			Id:          fmt.Sprintf("%s/%d", tag, p.ID),
			Created:     p.Received,
			Updated:     p.Received,
		})
	}
	af := (&feeds.Atom{Feed: f}).AtomFeed()
	af.Id = tag
	af.Link = &feeds.AtomLink{Href: archiveURL + "/feed.atom", Rel: "self", Type: "application/atom+xml"}
	return feeds.ToXML(af)
}

// summary is the start of the post's own words (quotes and signature
// left out).
func summary(p *store.ArchivePost) string {
	b := ReadBody(p.Raw)
	text := b.Text
	if text == "" {
		text = htmlText(b.HTML)
	}
	var parts []string
	for _, bl := range SplitQuotes(text) {
		if bl.Kind == "text" {
			parts = append(parts, bl.Text)
		}
	}
	s := strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
	if len(s) > summaryLen {
		s = strings.ToValidUTF8(s[:summaryLen], "") + " …"
	}
	return s
}

// Author is how pages name a post's author: the name, else the address.
func Author(p *store.ArchivePost) string {
	if p.FromName != "" {
		return p.FromName
	}
	if p.FromAddr != "" {
		return p.FromAddr
	}
	return "unknown"
}

func orNoSubject(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(no subject)"
	}
	return s
}

// Month is the first instant of a UTC month and of the next.
func Month(year int, m time.Month) (from, to time.Time) {
	from = time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, 1, 0)
}
