package archive

import (
	"slices"
	"strings"

	"golang.org/x/net/html"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Extract is what the index keeps of a post: its subject, author,
// thread parents and readable text (the plain-text part, else the HTML
// part's text; attachments are not indexed).
func Extract(m *store.Message) *store.ArchiveDoc {
	d := &store.ArchiveDoc{MessageID: m.ID, ListID: m.ListID, Received: m.Received, Subject: m.Subject,
		Author: strings.TrimSpace(m.FromName + " " + m.FromAddr)}
	if p, err := mailhdr.Parse(m.Raw); err == nil {
		if p.Subject != "" {
			d.Subject = p.Subject
		}
		if p.InReplyTo != "" {
			d.Parents = append(d.Parents, p.InReplyTo)
		}
		refs := slices.Clone(p.References)
		slices.Reverse(refs)
		for _, r := range refs {
			if r != p.InReplyTo {
				d.Parents = append(d.Parents, r)
			}
		}
	} else if m.InReplyTo != "" {
		d.Parents = append(d.Parents, m.InReplyTo)
	}
	d.SubjectKey, d.Reply = SubjectKey(d.Subject)
	b := ReadBody(m.Raw)
	d.Body = b.Text
	if d.Body == "" && b.HTML != "" {
		d.Body = htmlText(b.HTML)
	}
	return d
}

// htmlText is the text of an HTML document for the index: words only,
// script and style left out.
func htmlText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
				b.WriteByte(' ')
			}
		case html.StartTagToken:
			if n, _ := z.TagName(); string(n) == "script" || string(n) == "style" {
				skip++
			}
		case html.EndTagToken:
			if n, _ := z.TagName(); (string(n) == "script" || string(n) == "style") && skip > 0 {
				skip--
			}
		}
	}
}
