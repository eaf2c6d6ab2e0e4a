package newsletter

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/store"
)

// unsubMark stands for a subscriber's own one-click unsubscribe URL in a
// shared rendering; Mail puts the real one in.
const unsubMark = "https://unsubscribe.invalid/member"

// Rendered is an issue rendered once for one choice of sections and
// format: the header fields every such subscriber shares, and the text
// (and HTML) before quoted-printable encoding.
type Rendered struct {
	Head []byte
	Text string
	HTML string // "" for plain-text subscribers
}

// Render renders personalised content in a format (store.FormatHTML:
// multipart/alternative with a text twin; store.FormatPlain: text only).
func Render(c *Content, format string) (*Rendered, error) {
	r := &Rendered{Text: renderText(c)}
	if format != store.FormatPlain {
		h, err := renderHTML(c)
		if err != nil {
			return nil, err
		}
		r.HTML = h
	}
	var h bytes.Buffer
	for _, f := range delivery.ListFields(c.List, c.BaseURL) {
		h.Write(f.Raw)
	}
	fmt.Fprintf(&h, "From: %s <%s>\r\n", mime.QEncoding.Encode("utf-8", Name(c.List)), c.List.Address)
	fmt.Fprintf(&h, "To: %s\r\n", c.List.Address)
	fmt.Fprintf(&h, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", Subject(c)))
	fmt.Fprintf(&h, "Date: %s\r\n", c.Date.Format(time.RFC1123Z))
	h.WriteString("Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n")
	r.Head = h.Bytes()
	return r, nil
}

// Body is the MIME body (from its Content-Type field on) with unsubURL
// in the footer.
func (r *Rendered) Body(unsubURL string) []byte {
	text := qp(strings.ReplaceAll(r.Text, unsubMark, unsubURL))
	var b bytes.Buffer
	if r.HTML == "" {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		b.Write(text)
		return b.Bytes()
	}
	htm := qp(strings.ReplaceAll(r.HTML, unsubMark, unsubURL))
	alt := boundary(text, htm)
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", alt)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", alt)
	b.Write(text)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", alt)
	b.Write(htm)
	fmt.Fprintf(&b, "--%s--\r\n", alt)
	return b.Bytes()
}

// Mail is one subscriber's whole message: their Message-ID and RFC 8058
// fields, the shared head, and the body with their unsubscribe link.
func (r *Rendered) Mail(l *store.List, baseURL, unsubToken, messageID string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Message-ID: <%s>\r\n", messageID)
	delivery.AppendUnsubscribe(&b, l, baseURL, unsubToken)
	b.Write(r.Head)
	b.Write(r.Body(strings.TrimRight(baseURL, "/") + "/u/" + unsubToken))
	return b.Bytes()
}

// MessageID is a subscriber's copy's id: the same on a resumed send.
func MessageID(l *store.List, number int, memberID int64) string {
	return "newsletter." + strconv.FormatInt(l.ID, 36) + "." + strconv.Itoa(number) + "." +
		strconv.FormatInt(memberID, 36) + "@" + l.Domain()
}

// Name is the newsletter's display name.
func Name(l *store.List) string {
	if l.Name != "" {
		return l.Name
	}
	return l.LocalPart()
}

// Title is "Issue 3, Monday 11 January 2027" ("Next issue" unnumbered).
func Title(c *Content) string {
	n := "Next issue"
	if c.Number > 0 {
		n = "Issue " + strconv.Itoa(c.Number)
	}
	return n + ", " + c.Date.Format("Monday 2 January 2006")
}

// Subject is "Network weekly: Issue 3, Monday 11 January 2027".
func Subject(c *Content) string { return Name(c.List) + ": " + Title(c) }

func qp(text string) []byte {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n"))) // a bytes.Buffer does not fail
	_ = w.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// boundary is derived from the parts (a re-render gives the same bytes)
// and appears in neither.
func boundary(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	for i := 0; ; i++ {
		b := "=_nl_" + sum[:24] + strconv.Itoa(i)
		clash := false
		for _, p := range parts {
			clash = clash || bytes.Contains(p, []byte(b))
		}
		if !clash {
			return b
		}
	}
}

// ItemURL is an item's permalink; ICSURL its calendar file.
func ItemURL(base string, id int64) string {
	return strings.TrimRight(base, "/") + "/items/" + strconv.FormatInt(id, 10)
}

// ICSURL is the per-event iCalendar file.
func ICSURL(base string, id int64) string { return ItemURL(base, id) + ".ics" }

// IssueURL is an issue's archive page.
func IssueURL(base string, l *store.List, number int) string {
	return strings.TrimRight(base, "/") + "/newsletters/" + l.ListID() + "/issues/" + strconv.Itoa(number)
}

// When says when an event is, in its own zone: "18:00 to 20:00 GMT",
// "All day", or across days "Tue 12 January 18:00 to Wed 13 January
// 10:00 GMT".
func When(it *store.Item) string {
	loc, err := time.LoadLocation(it.Zone)
	if err != nil {
		loc = time.UTC
	}
	s, e := it.Starts.In(loc), it.Ends.In(loc)
	if it.AllDay {
		if e.Sub(s) > 24*time.Hour {
			return "All day, to " + e.Add(-time.Minute).Format("Monday 2 January")
		}
		return "All day"
	}
	if e.IsZero() || !e.After(s) {
		return s.Format("15:04 MST")
	}
	if s.YearDay() == e.YearDay() && s.Year() == e.Year() {
		return s.Format("15:04") + " to " + e.Format("15:04 MST")
	}
	return s.Format("Mon 2 January 15:04") + " to " + e.Format("Mon 2 January 15:04 MST")
}

// Where is an event's place and whether it is online.
func Where(it *store.Item) string {
	var parts []string
	if it.Location != "" {
		p := it.Location
		if it.Region != "" {
			p += " (" + it.Region + ")"
		}
		parts = append(parts, p)
	}
	if it.OnlineURL != "" {
		parts = append(parts, "online")
	}
	return strings.Join(parts, " and ")
}

// Closes says until when an ask or offer is open.
func Closes(it *store.Item) string {
	if it.Closes.IsZero() {
		return ""
	}
	return "open until " + it.Closes.UTC().Format("Monday 2 January 2006")
}
