// Package atomcheck reads Atom feeds back in tests with encoding/xml and
// checks the elements RFC 4287 requires.
package atomcheck

import (
	"encoding/xml"
	"testing"
	"time"
)

// Parsed is an Atom document read back with encoding/xml, namespace
// checked: only elements in the Atom namespace are filled.
type Parsed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Author  []struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Links   []ParsedLink `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		ID        string       `xml:"http://www.w3.org/2005/Atom id"`
		Title     string       `xml:"http://www.w3.org/2005/Atom title"`
		Updated   string       `xml:"http://www.w3.org/2005/Atom updated"`
		Published string       `xml:"http://www.w3.org/2005/Atom published"`
		Links     []ParsedLink `xml:"http://www.w3.org/2005/Atom link"`
		Summary   struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom summary"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

// ParsedLink is an atom:link.
type ParsedLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

// Parse reads an Atom feed and checks what RFC 4287 requires: feed id,
// title and updated (RFC 3339), an author (on the feed or every entry),
// a self link; each entry's id, title, updated and an alternate link.
func Parse(t testing.TB, b []byte) *Parsed {
	t.Helper()
	var p Parsed
	if err := xml.Unmarshal(b, &p); err != nil {
		t.Fatalf("not an Atom document: %v\n%s", err, b)
	}
	if p.ID == "" || p.Title == "" || !rfc3339(p.Updated) {
		t.Errorf("feed id %q, title %q, updated %q", p.ID, p.Title, p.Updated)
	}
	if Link(p.Links, "self") == "" {
		t.Errorf("feed has no self link: %+v", p.Links)
	}
	feedAuthor := len(p.Author) > 0 && p.Author[0].Name != ""
	ids := map[string]bool{}
	for _, e := range p.Entries {
		if e.ID == "" || e.Title == "" || !rfc3339(e.Updated) || Link(e.Links, "alternate") == "" {
			t.Errorf("entry id %q title %q updated %q links %+v", e.ID, e.Title, e.Updated, e.Links)
		}
		if ids[e.ID] {
			t.Errorf("two entries with id %s", e.ID)
		}
		ids[e.ID] = true
		if e.Published != "" && !rfc3339(e.Published) {
			t.Errorf("entry published %q", e.Published)
		}
	}
	if !feedAuthor {
		t.Errorf("feed has no author")
	}
	return &p
}

// Link is the href of the first link with rel.
func Link(ls []ParsedLink, rel string) string {
	for _, l := range ls {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func rfc3339(s string) bool { _, err := time.Parse(time.RFC3339, s); return err == nil }
