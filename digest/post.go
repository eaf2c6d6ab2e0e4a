package digest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	_ "github.com/emersion/go-message/charset" // posts in iso-8859-*, windows-125x
	"github.com/emersion/go-message/mail"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Post is one archived post as a digest shows it.
type Post struct {
	Msg         *store.Message
	Subject     string // decoded
	FromName    string
	FromAddr    string
	Date        string // the post's own Date field as sent, or the received time
	MessageID   string // without angle brackets
	Text        string // plain text: the text/plain part, or the HTML part as text
	HTML        string // the text/html part when there is one (unsanitised)
	Attachments []Attachment
}

// Attachment is a part a digest names but does not carry.
type Attachment struct {
	Name string
	Type string
	Size int
}

// Author is "Name <addr>", or the address alone.
func (p *Post) Author() string {
	if p.FromName != "" {
		return p.FromName
	}
	return p.FromAddr
}

// maxPartRead bounds how much of one part is read for the text.
const maxPartRead = 4 << 20

// ParsePost reads what the digest needs from a stored post; a post that
// does not parse as MIME is shown as its raw body text.
func ParsePost(m *store.Message) *Post {
	p := &Post{Msg: m, Subject: m.Subject, FromName: m.FromName, FromAddr: m.FromAddr, MessageID: m.MessageID}
	p.Date = m.SentAt.UTC().Format(time.RFC1123Z)
	if m.SentAt.IsZero() || m.SentAt.Unix() <= 0 {
		p.Date = m.Received.UTC().Format(time.RFC1123Z)
	}
	mr, err := mail.CreateReader(bytes.NewReader(m.Raw))
	if err != nil && mr == nil {
		p.Text = rawBody(m.Raw)
		return p
	}
	defer mr.Close()
	if s, err := mr.Header.Subject(); err == nil && s != "" {
		p.Subject = s
	}
	if id, err := mr.Header.MessageID(); err == nil && p.MessageID == "" {
		p.MessageID = id
	}
	if d := mr.Header.Get("Date"); d != "" {
		p.Date = d
	}
	if as, err := mr.Header.AddressList("From"); err == nil && len(as) > 0 {
		p.FromName, p.FromAddr = as[0].Name, as[0].Address
	}
	var plain, html string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if plain == "" && html == "" {
				plain = rawBody(m.Raw)
			}
			break
		}
		b, _ := io.ReadAll(io.LimitReader(part.Body, maxPartRead))
		switch h := part.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := h.ContentType()
			switch {
			case ct == "text/plain" && plain == "":
				plain = string(b)
			case ct == "text/html" && html == "":
				html = string(b)
			case !strings.HasPrefix(ct, "text/") && !strings.HasPrefix(ct, "multipart/"):
				p.Attachments = append(p.Attachments, Attachment{Name: "(unnamed)", Type: ct, Size: len(b)})
			}
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			ct, _, _ := h.ContentType()
			if name == "" {
				name = "(unnamed)"
			}
			p.Attachments = append(p.Attachments, Attachment{Name: name, Type: ct, Size: len(b)})
		}
	}
	p.HTML = html
	p.Text = plain
	if p.Text == "" && html != "" {
		p.Text = HTMLToText(html)
	}
	p.Text = normaliseText(p.Text)
	return p
}

func rawBody(raw []byte) string {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return normaliseText(string(raw[i+4:]))
	}
	return ""
}

// normaliseText makes line ends LF and drops trailing blank lines.
func normaliseText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimRight(s, " \t\n")
}

// FirstLine is the first line of text that is not a quote or blank.
func (p *Post) FirstLine() string {
	for _, l := range strings.Split(p.Text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, ">") || strings.HasSuffix(l, "wrote:") {
			continue
		}
		if r := []rune(l); len(r) > 140 {
			l = string(r[:139]) + "…"
		}
		return l
	}
	return ""
}

// AttachmentText names an attachment: "report.pdf (application/pdf, 12 KB)".
func (a Attachment) String() string {
	size := fmt.Sprintf("%d bytes", a.Size)
	if a.Size >= 1024 {
		size = fmt.Sprintf("%d KB", (a.Size+1023)/1024)
	}
	return fmt.Sprintf("%s (%s, %s)", a.Name, a.Type, size)
}

// encodeWord encodes a header text for a field value (RFC 2047).
func encodeWord(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}
