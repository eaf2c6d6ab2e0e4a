package imapd

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/demnet-uk/listserv/listserv/store"
)

// The mailbox tree: INBOX (always empty, clients expect one), and under
// Lists/ one mailbox per readable list, named by the list's address.
const (
	delim       = '/'
	inboxName   = "INBOX"
	listsParent = "Lists"
	listsPrefix = listsParent + "/"
	// inboxValidity is INBOX's UIDVALIDITY: it never holds a message.
	inboxValidity = 1
)

// box is one selectable mailbox; list is nil for INBOX.
type box struct {
	name   string
	list   *store.List
	member *store.Member
}

func boxName(l *store.List) string { return listsPrefix + l.Address }

// readable returns the mailboxes s may open, INBOX first, then lists by
// address.
func (s *session) readable(ctx context.Context) ([]*box, error) {
	lists, err := s.srv.st.AllLists(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := s.srv.st.Memberships(ctx, s.address)
	if err != nil {
		return nil, err
	}
	member := make(map[int64]*store.Member, len(ms))
	for _, m := range ms {
		member[m.ListID] = m
	}
	out := []*box{{name: inboxName}}
	for _, l := range lists {
		ok, err := s.srv.access.MayRead(ctx, l, member[l.ID])
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, &box{name: boxName(l), list: l, member: member[l.ID]})
		}
	}
	return out, nil
}

// mailbox resolves a name to INBOX or a list s may read. A list s may
// not read answers exactly as a list that does not exist.
func (s *session) mailbox(name string) (*box, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	return s.mailboxCtx(ctx, name)
}

func (s *session) mailboxCtx(ctx context.Context, name string) (*box, error) {
	if strings.EqualFold(name, inboxName) {
		return &box{name: inboxName}, nil
	}
	missing := nonExistent("No mailbox " + name + " here (lists you may read are under " + listsPrefix + ")")
	addr, ok := strings.CutPrefix(name, listsPrefix)
	if !ok || addr == "" {
		return nil, missing
	}
	l, err := s.srv.st.GetList(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil, missing
	}
	if err != nil {
		return nil, s.internal("get list", err)
	}
	m, err := s.srv.st.GetMember(ctx, l.ID, s.address)
	if errors.Is(err, store.ErrNotFound) {
		m = nil
	} else if err != nil {
		return nil, s.internal("get member", err)
	}
	ok, err = s.srv.access.MayRead(ctx, l, m)
	if err != nil {
		return nil, s.internal("access", err)
	}
	if !ok {
		return nil, missing
	}
	return &box{name: boxName(l), list: l, member: m}, nil
}

// internal logs err and answers NO [SERVERBUG] without its text.
func (s *session) internal(what string, err error) error {
	s.srv.log.Error("IMAP "+what, "address", s.address, "err", err)
	return errInternal
}

// List answers LIST and LSUB (LSUB asks with SelectSubscribed): every
// readable mailbox is subscribed. Lists is a \Noselect parent.
func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 0 {
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: delim})
	}
	if options.SelectSpecialUse {
		return nil // no special-use mailboxes: an archive is none of Sent, Drafts, Trash...
	}
	ctx, cancel := s.ctx()
	defer cancel()
	boxes, err := s.readable(ctx)
	if err != nil {
		return s.internal("list", err)
	}
	matches := func(name string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { return imapserver.MatchList(name, delim, ref, p) })
	}
	subscribed := options.SelectSubscribed || options.ReturnSubscribed
	for i, b := range boxes {
		if i == 1 && matches(listsParent) {
			// Lists sorts after INBOX and before its children.
			d := &imap.ListData{Mailbox: listsParent, Delim: delim,
				Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect, imap.MailboxAttrHasChildren}}
			if err := w.WriteList(d); err != nil {
				return err
			}
		}
		if !matches(b.name) {
			continue
		}
		d := &imap.ListData{Mailbox: b.name, Delim: delim, Attrs: []imap.MailboxAttr{imap.MailboxAttrHasNoChildren}}
		if subscribed {
			d.Attrs = append(d.Attrs, imap.MailboxAttrSubscribed)
		}
		if options.ReturnStatus != nil {
			if d.Status, err = s.status(ctx, b, options.ReturnStatus); err != nil {
				return err
			}
		}
		if err := w.WriteList(d); err != nil {
			return err
		}
	}
	return nil
}

// Status answers STATUS for one mailbox.
func (s *session) Status(mailbox string, options *imap.StatusOptions) (*imap.StatusData, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	b, err := s.mailboxCtx(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	return s.status(ctx, b, options)
}

func (s *session) status(ctx context.Context, b *box, options *imap.StatusOptions) (*imap.StatusData, error) {
	d := &imap.StatusData{Mailbox: b.name}
	var zero uint32
	var zeroSize int64
	if b.list == nil {
		d.UIDNext, d.UIDValidity = 1, inboxValidity
		d.NumMessages, d.NumUnseen, d.NumDeleted, d.NumRecent, d.Size = &zero, &zero, &zero, &zero, &zeroSize
		return d, nil
	}
	st, err := s.srv.st.ArchiveStatus(ctx, b.list.ID)
	if err != nil {
		return nil, s.internal("status", err)
	}
	n := uint32(st.Count)
	d.NumMessages, d.NumDeleted, d.NumRecent, d.Size = &n, &zero, &zero, &st.Size
	d.UIDNext, d.UIDValidity = imap.UID(st.UIDNext), b.list.UIDValidity
	if options.NumUnseen {
		seen, err := s.srv.st.CountIMAPSeen(ctx, s.address, b.list.ID)
		if err != nil {
			return nil, s.internal("status", err)
		}
		unseen := uint32(max(st.Count-seen, 0))
		d.NumUnseen = &unseen
	}
	return d, nil
}
