package archive

import (
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Post is one archived post as its page shows it.
type Post struct {
	Subject, From, To, Cc string
	Date                  time.Time
	MessageID, InReplyTo  string
	// Blocks is the plain-text body; HTML the sanitised HTML body, set
	// when the post has no plain text or the reader asked for it.
	Blocks []Block
	HTML   string
	// HasHTML: the post has both a text and an HTML body, so the page
	// offers the one not shown.
	HasHTML bool
	// Remote counts remote images left out (or shown as links).
	Remote int
	Files  []Part
	// Broken is set when the MIME structure could not be read to the end.
	Broken bool
}

// ReadOptions choose what a post page shows.
type ReadOptions struct {
	PreferHTML bool
	Images     Images
}

// Read turns a stored post into what its page shows.
func Read(p *store.ArchivePost, o ReadOptions) *Post {
	v := &Post{Subject: p.Subject, From: p.FromAddr, Date: p.SentAt, MessageID: p.MessageID, InReplyTo: p.InReplyTo}
	if p.FromName != "" {
		v.From = p.FromName
		if p.FromAddr != "" {
			v.From += " <" + p.FromAddr + ">"
		}
	}
	if h, err := mailhdr.Parse(p.Raw); err == nil {
		if h.Subject != "" {
			v.Subject = h.Subject
		}
		v.To, v.Cc = decode(h.Header.Get("To")), decode(h.Header.Get("Cc"))
	}
	if v.Date.IsZero() || v.Date.Unix() <= 0 {
		v.Date = p.Received
	}
	b := ReadBody(p.Raw)
	v.Broken = b.Err != nil
	for _, part := range b.Parts {
		if part.Attachment || !(part.Type == "text/plain" || part.Type == "text/html") {
			v.Files = append(v.Files, part)
		}
	}
	switch {
	case b.HTML != "" && (b.Text == "" || o.PreferHTML):
		s := Sanitize(b.HTML, o.Images)
		v.HTML, v.Remote = s.HTML, s.Remote
		v.HasHTML = b.Text != ""
	default:
		v.Blocks = SplitQuotes(b.Text)
		v.HasHTML = b.HTML != ""
	}
	return v
}

// decode turns RFC 2047 words into text for display.
func decode(v string) string {
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		v = d
	}
	return strings.ToValidUTF8(v, "\uFFFD")
}
