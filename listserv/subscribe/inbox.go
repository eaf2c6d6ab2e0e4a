package subscribe

import (
	"context"
	"errors"
	"fmt"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
)

// These handlers work the admin mail the pipeline stored (they fit
// inbox.Handler). Each first drops automatic mail: it is never answered
// and can never confirm, join or leave anything.

// incoming is what the handlers need from an inbox item.
type incoming struct {
	sender, name, subject, messageID string
	parsed                           *mailhdr.Parsed
}

// read parses an item; ok is false for automatic or unreadable mail.
func (e *Engine) read(it *store.InboxItem) (incoming, bool) {
	p, err := mailhdr.Parse(it.Raw)
	if err != nil {
		e.log.Info("admin mail unreadable: ignored", "id", it.ID, "from", it.EnvelopeFrom)
		return incoming{}, false
	}
	if notice.IsAutomatic(it.EnvelopeFrom, p.Header) {
		e.log.Info("automatic mail: not answered", "id", it.ID, "kind", it.Kind, "from", it.EnvelopeFrom)
		return incoming{}, false
	}
	in := incoming{sender: p.From, name: p.FromName, subject: p.Subject, messageID: p.MessageID, parsed: p}
	if in.sender == "" {
		in.sender = store.NormalizeAddress(it.EnvelopeFrom)
	}
	return in, in.sender != ""
}

func (e *Engine) reply(ctx context.Context, l *store.List, in incoming, body string) error {
	subject := "Re: " + in.subject
	if in.subject == "" {
		subject = "Your message to " + l.SubAddress("request")
	}
	return e.send(ctx, forList(l, note{to: in.sender, subject: subject, body: body, inReplyTo: in.messageID, autoReplied: true}))
}

// HandleJoin: any message to LIST-join@ asks to join (a confirmation
// mail goes to the sender, which is the only answer).
func (e *Engine) HandleJoin(ctx context.Context, it *store.InboxItem, l *store.List) error {
	in, ok := e.read(it)
	if !ok {
		return nil
	}
	err := e.RequestJoin(ctx, l, Request{Address: in.sender, Name: in.name, How: "email", Origin: in.sender})
	if errors.Is(err, ErrInviteOnly) {
		return e.reply(ctx, l, in, "This list takes new members by invitation only. Ask its owners at "+l.SubAddress("owner")+".\n")
	}
	return err
}

// HandleLeave: any message to LIST-leave@ asks to leave. Its From proves
// nothing, so the member is mailed a confirmation (link or reply), which
// is the only answer; nobody leaves on a forged request.
func (e *Engine) HandleLeave(ctx context.Context, it *store.InboxItem, l *store.List) error {
	in, ok := e.read(it)
	if !ok {
		return nil
	}
	m, err := e.st.GetMember(ctx, l.ID, in.sender)
	if errors.Is(err, store.ErrNotFound) {
		return e.reply(ctx, l, in, in.sender+" is not on "+ListTitle(l)+", so there was nothing to do.\n")
	}
	if err != nil {
		return err
	}
	return e.RequestLeave(ctx, l, m, "email", in.sender)
}

// HandleRequest runs the commands in a message to LIST-request@.
func (e *Engine) HandleRequest(ctx context.Context, it *store.InboxItem, l *store.List) error {
	in, ok := e.read(it)
	if !ok {
		return nil
	}
	cmds, unknown := commandLines(in.subject, plainText(it.Raw))
	return e.reply(ctx, l, in, e.runCommands(ctx, l, in.sender, in.name, cmds, unknown))
}

// HandleConfirm: a reply to a confirmation (LIST-confirm+TOKEN@) confirms
// like the link does. What the reply says does not matter; the token in
// the address proves the mail was received.
func (e *Engine) HandleConfirm(ctx context.Context, it *store.InboxItem, l *store.List) error {
	in, ok := e.read(it)
	if !ok {
		return nil
	}
	// A token only works at the address of its own list.
	p, err := e.Peek(ctx, it.Token)
	if err == nil && (p.List == nil || p.List.ID != l.ID) {
		err = ErrTokenInvalid
	}
	if err == nil {
		_, err = e.Confirm(ctx, it.Token, "email", in.sender)
	}
	if errors.Is(err, ErrTokenInvalid) {
		return e.reply(ctx, l, in, fmt.Sprintf("This confirmation has expired or was already used, so nothing has changed.\n\n"+
			"To join %s, send any message to %s or visit %s\n", ListTitle(l), l.SubAddress("join"), e.ListURL(l)))
	}
	return err
}
