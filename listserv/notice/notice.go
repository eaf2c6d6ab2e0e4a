// Package notice builds the messages listserv itself sends (moderation
// notices, rejections, confirmations, welcomes, sign-in links) with
// go-mail, and holds the one rule for recognising automatic mail, which
// such messages must never answer. Every message carries Auto-Submitted
// (RFC 3834) so that other robots do not answer it either.
package notice

import (
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// MayTell reports whether the author of m may be sent a notice about it:
// never an automatic message, a bounce, list mail or mail a spam filter
// marked (no backscatter to forged senders, no loops).
func MayTell(m *store.Message) bool {
	if m.FromAddr == "" {
		return false
	}
	h, _, err := mailhdr.Split(m.Raw)
	return err == nil && !IsAutomatic(m.EnvelopeFrom, h) && !SpamLike(h)
}

// Rejection tells the author that a moderator rejected their post.
func Rejection(l *store.List, m *store.Message, reason string) (*store.QueuedMail, error) {
	body := fmt.Sprintf("Your message to %s was not distributed.\n\nSubject: %s\n", l.Address, m.Subject)
	if reason != "" {
		body += "Reason given by the moderator: " + reason + "\n"
	}
	body += fmt.Sprintf("\nQuestions? Write to the list owners at %s.\n", l.SubAddress("owner"))
	return Mail{From: l.SubAddress("owner"), Envelope: l.SubAddress("bounces"), To: m.FromAddr, Loop: l.Address,
		Subject: "Your message to " + l.Address + " was rejected", Body: body, InReplyTo: m.MessageID,
		AutoReplied: true, Tag: "notice"}.Build()
}

// LoginLink mails a one-time sign-in link.
func LoginLink(from, to, link string, ttl time.Duration) (*store.QueuedMail, error) {
	body := fmt.Sprintf("Someone (we hope you) asked to sign in to the mailing lists with this address.\n\n"+
		"Open this link to sign in. It works once, for %d minutes:\n\n%s\n\n"+
		"If you did not ask, ignore this message: nothing happens without the link.\n", int(ttl.Minutes()), link)
	return Mail{From: from, To: to, Subject: "Your sign-in link", Body: body, AutoReplied: true, Tag: "notice"}.Build()
}
