package subscribe

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/inbox"
	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
)

// note is one message the engine sends: plain text, short, and marked
// Auto-Submitted so that other robots leave it alone (RFC 3834).
type note struct {
	from, fromName string // header From
	envelope       string // MAIL FROM; failures come back here
	to             string
	subject        string
	body           string
	replyTo        string
	inReplyTo      string // Message-ID being answered, without <>
	autoReplied    bool   // answering a message (else auto-generated)
	list           string // the list's address, for X-Loop
}

// forList fills the sender fields of a note about list l: From the
// -request address (which answers commands), failures to -bounces.
func forList(l *store.List, n note) note {
	n.from, n.fromName, n.envelope, n.list = l.SubAddress("request"), ListTitle(l), l.SubAddress("bounces"), l.Address
	return n
}

// fromSite fills the sender fields of a note that belongs to no list.
func (e *Engine) fromSite(n note) note {
	n.from, n.envelope = e.opt.SiteAddress, e.opt.SiteAddress
	return n
}

func (e *Engine) send(ctx context.Context, n note) error {
	q, err := render(n)
	if err != nil { // a bad address or text: no retry would help
		return inbox.Permanent(err)
	}
	return e.st.EnqueueMail(ctx, q)
}

// render builds the message with the one builder of server mail.
func render(n note) (*store.QueuedMail, error) {
	return notice.Mail{From: n.from, FromName: n.fromName, Envelope: n.envelope, To: n.to, ReplyTo: n.replyTo,
		Subject: n.subject, Body: n.body, InReplyTo: n.inReplyTo, AutoReplied: n.autoReplied, Loop: n.list, Tag: "sub"}.Build()
}
