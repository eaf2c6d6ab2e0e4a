package digest

import (
	"bytes"
	"fmt"
	"mime/quotedprintable"
	"net/url"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Size limits: a digest over either is split into numbered parts.
const (
	DefaultMaxPosts = 40
	DefaultMaxBytes = 1 << 20
)

// Issue is one digest part's content. Every member with the same posts,
// period, format and local date shares its rendering.
type Issue struct {
	List    *store.List
	Period  string    // Daily or Weekly
	Date    time.Time // the due time, in the member's zone
	Posts   []*Post
	Part    int // 1-based; Parts > 1 when split
	Parts   int
	Format  string // store.DigestPlain, DigestMIME, DigestHTML, DigestSummary
	BaseURL string
}

// Rendered is an issue rendered once: header fields shared by every
// member (CRLF ended) and the body starting with the blank line.
type Rendered struct {
	Head []byte
	Body []byte

	shared []byte // Head then Body, the body every member's copy shares
}

// Render renders an issue in its format.
func Render(is *Issue) (*Rendered, error) {
	var ct string
	var body []byte
	var err error
	switch is.Format {
	case store.DigestPlain:
		ct, body = textPart(renderPlain(is))
	case store.DigestSummary:
		ct, body = textPart(renderSummary(is))
	case store.DigestMIME:
		ct, body, err = renderMIME(is)
	case store.DigestHTML:
		ct, body, err = renderHTML(is)
	default:
		return nil, fmt.Errorf("digest: unknown format %q", is.Format)
	}
	if err != nil {
		return nil, err
	}
	var h bytes.Buffer
	for _, f := range delivery.ListFields(is.List, is.BaseURL) {
		h.Write(f.Raw)
	}
	fmt.Fprintf(&h, "From: %s <%s>\r\n", encodeWord(listName(is.List)), is.List.Address)
	fmt.Fprintf(&h, "To: %s\r\n", is.List.Address)
	fmt.Fprintf(&h, "Subject: %s\r\n", encodeWord(is.Subject()))
	fmt.Fprintf(&h, "Date: %s\r\n", is.Date.Format(time.RFC1123Z))
	h.WriteString("Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n")
	h.WriteString(ct)
	return &Rendered{Head: h.Bytes(), Body: body}, nil
}

func listName(l *store.List) string {
	if l.Name != "" {
		return l.Name
	}
	return l.LocalPart()
}

// Title is "Daily digest, Monday 7 December 2026".
func (is *Issue) Title() string {
	p := "Daily"
	if is.Period == Weekly {
		p = "Weekly"
	}
	return p + " digest, " + is.Date.Format("Monday 2 January 2006")
}

// Subject is "[Team Talk] Daily digest, Monday 7 December 2026 (12
// messages)", with "part 2 of 3" when split.
func (is *Issue) Subject() string {
	n := fmt.Sprintf("%d messages", len(is.Posts))
	if len(is.Posts) == 1 {
		n = "1 message"
	}
	if is.Parts > 1 {
		n = fmt.Sprintf("part %d of %d, %s", is.Part, is.Parts, n)
	}
	return "[" + listName(is.List) + "] " + is.Title() + " (" + n + ")"
}

// textPart is a text/plain body in quoted-printable (long lines and
// UTF-8 travel safely through any relay).
func textPart(text string) (string, []byte) {
	return "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
		append([]byte("\r\n"), qp(text)...)
}

func qp(text string) []byte {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n"))) // writes to a bytes.Buffer cannot fail
	_ = w.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// ReplyLink is a mailto: URL that answers a post on the list and
// threads: In-Reply-To and the subject as RFC 6068 hfields.
func ReplyLink(l *store.List, p *Post) string {
	subj := p.Subject
	if !strings.HasPrefix(strings.ToLower(subj), "re:") {
		subj = "Re: " + subj
	}
	q := "In-Reply-To=" + escape("<"+p.MessageID+">") + "&subject=" + escape(subj)
	if p.MessageID == "" {
		q = "subject=" + escape(subj)
	}
	return "mailto:" + l.Address + "?" + q
}

// escape percent-encodes an hfield value (RFC 6068 section 2: spaces as
// %20, never +).
func escape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// footer says how to change delivery and how to leave.
func footer(is *Issue) string {
	base := strings.TrimRight(is.BaseURL, "/")
	return "You get this " + strings.ToLower(is.Title()[:strings.Index(is.Title(), ",")]) + " because you chose it for " +
		listName(is.List) + ".\n" +
		"Change delivery (every post, daily or weekly digest, time, format) or leave: " + base + "/me\n" +
		"Leave by mail: mailto:" + is.List.SubAddress("leave") + "\n" +
		"Post to the list: mailto:" + is.List.Address + " (a reply to this digest is held for the moderators;\n" +
		"use the reply link under each post instead)\n"
}

// Split cuts posts into parts of at most maxPosts posts and maxBytes
// stored bytes (a larger single post is a part of its own).
func Split(posts []*Post, maxPosts int, maxBytes int64) [][]*Post {
	var parts [][]*Post
	var cur []*Post
	var size int64
	for _, p := range posts {
		n := int64(len(p.Msg.Raw))
		if len(cur) > 0 && (len(cur) >= maxPosts || size+n > maxBytes) {
			parts = append(parts, cur)
			cur, size = nil, 0
		}
		cur = append(cur, p)
		size += n
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	return parts
}
