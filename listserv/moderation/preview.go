package moderation

import (
	"mime"
	"sync"

	"github.com/emersion/go-message/charset"
	"github.com/microcosm-cc/bluemonday"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// Preview is what a moderator sees of a held post: a few headers, the
// parts' names and types, and its text. HTML is shown only when there is
// no plain-text part, and only after sanitising.
type Preview struct {
	Headers []mailhdr.Field // From, To, Cc, Subject, Date, Message-ID, Reply-To
	Parts   []Part
	Text    string
	// HTML is sanitised markup (safe to put in a page as is); empty when
	// Text is shown.
	HTML string
	Err  error // the MIME structure could not be read to the end
}

// previewLimit bounds the body text kept for the page.
const previewLimit = 64 << 10

var shownHeaders = []string{"From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID"}

// MakePreview reads raw for the moderation page.
func MakePreview(raw []byte) *Preview {
	h, body, err := mailhdr.Split(raw)
	if err != nil {
		return &Preview{Err: err}
	}
	pv := &Preview{}
	for _, name := range shownHeaders {
		for _, v := range h.Values(name) {
			pv.Headers = append(pv.Headers, mailhdr.Field{Name: name, Raw: []byte(decodeHeader(v))})
		}
	}
	in := InspectParts(h, body, previewLimit)
	pv.Parts, pv.Text, pv.Err = in.Parts, in.Text, in.Err
	if in.Text == "" && in.HTML != "" {
		pv.HTML = SanitizeHTML(in.HTML)
	}
	return pv
}

var (
	policyOnce sync.Once
	policy     *bluemonday.Policy
)

// SanitizeHTML keeps text structure and links only: no images (remote
// images are tracking pixels), no scripts, styles, forms, frames, tables or
// attributes other than a link's target, and headings flattened so the
// post cannot disturb the page's outline.
func SanitizeHTML(html string) string {
	policyOnce.Do(func() {
		p := bluemonday.NewPolicy()
		p.AllowElements("p", "br", "b", "i", "em", "strong", "u", "s", "ul", "ol", "li", "blockquote",
			"pre", "code", "div", "span", "hr", "small", "sub", "sup")
		p.AllowAttrs("href").OnElements("a")
		p.AllowURLSchemes("https", "http", "mailto")
		p.RequireParseableURLs(true)
		p.RequireNoFollowOnLinks(true)
		p.RequireNoReferrerOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(false)
		policy = p
	})
	return policy.Sanitize(html)
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// decodeHeader decodes RFC 2047 words for display; undecodable input is
// shown as it is.
func decodeHeader(v string) string {
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return d
	}
	return v
}
