package moderation

import (
	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
)

// letter is one notice the engine sends about a list, from the list's
// owners, sent with the -bounces address so its own failures come back.
type letter struct {
	list      *store.List
	to        string
	subject   string
	body      string
	replyTo   string // LIST-moderate+TOKEN@ on notices a moderator may answer
	inReplyTo string // Message-ID without brackets
	auto      string // "auto-replied" when answering a message
	attach    []byte // a held post, attached as message/rfc822
}

func (lt letter) build() (*store.QueuedMail, error) {
	l := lt.list
	return notice.Mail{From: l.SubAddress("owner"), FromName: listName(l) + " moderation", Envelope: l.SubAddress("bounces"),
		To: lt.to, ReplyTo: lt.replyTo, Subject: lt.subject, Body: lt.body, InReplyTo: lt.inReplyTo,
		AutoReplied: lt.auto == "auto-replied", Loop: l.Address, Tag: "moderation", Attach: lt.attach}.Build()
}

// MayTell reports whether the author of m may be sent a notice about it
// (the one rule, in package notice).
func MayTell(m *store.Message) bool { return notice.MayTell(m) }

func listName(l *store.List) string {
	if l.Name != "" {
		return l.Name
	}
	return l.Address
}
