// Package notice builds the messages listserv itself sends (rejections,
// later confirmations and welcomes) with go-mail. Every one carries
// Auto-Submitted: auto-replied (RFC 3834) so that other robots do not answer.
package notice

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// ShouldNotify reports whether the author of m may be told about it: never
// an auto-reply, a bounce or a list message (no backscatter, no loops).
func ShouldNotify(m *store.Message) bool {
	if m.EnvelopeFrom == "" || m.FromAddr == "" {
		return false
	}
	h, _, err := mailhdr.Split(m.Raw)
	if err != nil {
		return false
	}
	if v := h.Get("Auto-Submitted"); v != "" && !strings.EqualFold(v, "no") {
		return false
	}
	p := strings.ToLower(h.Get("Precedence"))
	return p != "bulk" && p != "junk" && p != "list" && !h.Has("List-Id")
}

// Rejection tells the author that a moderator rejected their post.
func Rejection(l *store.List, m *store.Message, reason string) (*store.QueuedMail, error) {
	body := fmt.Sprintf("Your message to %s was not distributed.\r\n\r\nSubject: %s\r\n", l.Address, m.Subject)
	if reason != "" {
		body += "Reason given by the moderator: " + reason + "\r\n"
	}
	body += fmt.Sprintf("\r\nQuestions? Write to the list owners at %s.\r\n", l.SubAddress("owner"))
	return build(l, m.FromAddr, "Your message to "+l.Address+" was rejected", body, m.MessageID)
}

func build(l *store.List, to, subject, body, inReplyTo string) (*store.QueuedMail, error) {
	q, err := buildFrom(l.SubAddress("owner"), to, subject, body, inReplyTo)
	if err != nil {
		return nil, err
	}
	// A notice about a list uses its -bounces address so that the notice's
	// own failures come back to us.
	q.From = l.SubAddress("bounces")
	return q, nil
}

// buildFrom renders a plain-text notice from a site or list address.
func buildFrom(from, to, subject, body, inReplyTo string) (*store.QueuedMail, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("notice from: %w", err)
	}
	if err := msg.To(to); err != nil {
		return nil, fmt.Errorf("notice to: %w", err)
	}
	msg.Subject(subject)
	msg.SetDate()
	_, domain, _ := strings.Cut(from, "@")
	msg.SetMessageIDWithValue(fmt.Sprintf("notice.%s@%s", randomID(), domain))
	msg.SetGenHeader("Auto-Submitted", "auto-replied")
	if inReplyTo != "" {
		msg.SetGenHeader("In-Reply-To", "<"+inReplyTo+">")
	}
	msg.SetBodyString(mail.TypeTextPlain, body)
	var b bytes.Buffer
	if _, err := msg.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render notice: %w", err)
	}
	return &store.QueuedMail{From: from, To: to, Raw: b.Bytes()}, nil
}

// LoginLink mails a one-time sign-in link.
func LoginLink(from, to, link string, ttl time.Duration) (*store.QueuedMail, error) {
	body := fmt.Sprintf("Someone (we hope you) asked to sign in to the mailing lists with this address.\r\n\r\n"+
		"Open this link to sign in. It works once, for %d minutes:\r\n\r\n%s\r\n\r\n"+
		"If you did not ask, ignore this message: nothing happens without the link.\r\n", int(ttl.Minutes()), link)
	return buildFrom(from, to, "Your sign-in link", body, "")
}
