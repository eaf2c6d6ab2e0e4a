package imapd

import (
	"context"
	"sort"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// expungeCheck is how often a selected mailbox is checked for posts that
// left the archive (an erasure or a purge): a count over the index, so
// not on every command.
const expungeCheck = 30 * time.Second

// uidPage is how many UIDs one query reads.
const uidPage = 10_000

// selected is the open mailbox: its UIDs in order (sequence number i+1
// is uids[i]).
type selected struct {
	box       *box
	readOnly  bool
	uids      []imap.UID
	searchRes imap.UIDSet
	// lost is set once the reader may no longer read the list.
	lost        bool
	lastExpunge time.Time
}

func (sel *selected) last() int64 {
	if len(sel.uids) == 0 {
		return 0
	}
	return int64(sel.uids[len(sel.uids)-1])
}

// Select opens a mailbox. SELECT answers READ-WRITE because the reader
// may keep \Seen and \Flagged (PERMANENTFLAGS says exactly those);
// EXAMINE answers READ-ONLY and refuses them too.
func (s *session) Select(mailbox string, options *imap.SelectOptions) (*imap.SelectData, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	s.sel = nil
	b, err := s.mailboxCtx(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	sel := &selected{box: b, readOnly: options.ReadOnly, lastExpunge: s.srv.now()}
	d := &imap.SelectData{Flags: []imap.Flag{imap.FlagSeen, imap.FlagFlagged}, UIDValidity: inboxValidity, UIDNext: 1}
	if !sel.readOnly {
		d.PermanentFlags = []imap.Flag{imap.FlagSeen, imap.FlagFlagged}
	}
	if b.list != nil {
		if sel.uids, err = s.loadUIDs(ctx, b.list.ID, 0); err != nil {
			return nil, s.internal("select", err)
		}
		st, err := s.srv.st.ArchiveStatus(ctx, b.list.ID)
		if err != nil {
			return nil, s.internal("select", err)
		}
		d.UIDValidity, d.UIDNext = b.list.UIDValidity, imap.UID(st.UIDNext)
		if d.FirstUnseenSeqNum, err = s.firstUnseen(ctx, sel); err != nil {
			return nil, s.internal("select", err)
		}
	}
	d.NumMessages = uint32(len(sel.uids))
	s.sel = sel
	return d, nil
}

// loadUIDs reads a list's UIDs above after, all of them.
func (s *session) loadUIDs(ctx context.Context, listID, after int64) ([]imap.UID, error) {
	var out []imap.UID
	for {
		page, err := s.srv.st.ArchiveUIDs(ctx, listID, after, uidPage)
		if err != nil {
			return nil, err
		}
		for _, u := range page {
			out = append(out, imap.UID(u))
		}
		if len(page) < uidPage {
			return out, nil
		}
		after = page[len(page)-1]
	}
}

// firstUnseen is the sequence number of the first post the reader has
// not seen (0: none), for IMAP4rev1's UNSEEN response.
func (s *session) firstUnseen(ctx context.Context, sel *selected) (uint32, error) {
	if len(sel.uids) == 0 {
		return 0, nil
	}
	fs, err := s.srv.st.IMAPFlags(ctx, s.address, sel.box.list.ID, int64(sel.uids[0]), sel.last())
	if err != nil {
		return 0, err
	}
	seen := make(map[imap.UID]bool, len(fs))
	for _, f := range fs {
		seen[imap.UID(f.UID)] = f.Seen
	}
	for i, u := range sel.uids {
		if !seen[u] {
			return uint32(i + 1), nil
		}
	}
	return 0, nil
}

// need returns the selected mailbox after asking Access again, so a
// member removed from a list loses it at their next command.
func (s *session) need() (*selected, error) {
	sel := s.sel
	if sel == nil {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "No mailbox selected"}
	}
	if sel.box.list == nil {
		return sel, nil
	}
	if !sel.lost {
		ctx, cancel := s.ctx()
		defer cancel()
		if _, err := s.mailboxCtx(ctx, sel.box.name); err != nil {
			if e, ok := err.(*imap.Error); ok && e.Code == imap.ResponseCodeServerBug {
				return nil, err
			}
			sel.lost = true
			s.srv.log.Info("IMAP reader lost access to a list", "address", s.address, "list", sel.box.list.Address)
		}
	}
	if sel.lost {
		return nil, noPerm("You can no longer read " + sel.box.list.Address + " (not a member, or its archive was closed); select another mailbox")
	}
	return sel, nil
}

// Poll reports new posts (EXISTS) after every command and, where the
// command allows it and at most every expungeCheck, posts that left the
// archive (EXPUNGE).
func (s *session) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	ctx, cancel := s.ctx()
	defer cancel()
	return s.poll(ctx, w, allowExpunge)
}

func (s *session) poll(ctx context.Context, w *imapserver.UpdateWriter, allowExpunge bool) error {
	sel := s.sel
	if sel == nil || sel.box.list == nil || sel.lost {
		return nil
	}
	if allowExpunge && s.srv.now().Sub(sel.lastExpunge) >= expungeCheck {
		sel.lastExpunge = s.srv.now()
		if err := s.pollExpunged(ctx, w, sel); err != nil {
			return err
		}
	}
	added, err := s.loadUIDs(ctx, sel.box.list.ID, sel.last())
	if err != nil {
		s.srv.log.Warn("IMAP poll", "err", err)
		return nil // the next poll tries again
	}
	if len(added) == 0 {
		return nil
	}
	sel.uids = append(sel.uids, added...)
	return w.WriteNumMessages(uint32(len(sel.uids)))
}

// pollExpunged compares the archive's count with ours and, when posts
// left, reports each by sequence number, highest first (so earlier
// numbers stay valid while the client applies them).
func (s *session) pollExpunged(ctx context.Context, w *imapserver.UpdateWriter, sel *selected) error {
	st, err := s.srv.st.ArchiveStatus(ctx, sel.box.list.ID)
	if err != nil || st.Count >= int64(len(sel.uids)) {
		return nil
	}
	now, err := s.loadUIDs(ctx, sel.box.list.ID, 0)
	if err != nil {
		return nil
	}
	keep := make(map[imap.UID]bool, len(now))
	for _, u := range now {
		keep[u] = true
	}
	var kept []imap.UID
	for i := len(sel.uids) - 1; i >= 0; i-- {
		if !keep[sel.uids[i]] {
			if err := w.WriteExpunge(uint32(i + 1)); err != nil {
				return err
			}
		}
	}
	for _, u := range sel.uids {
		if keep[u] {
			kept = append(kept, u)
		}
	}
	sel.uids = kept
	return nil
}

// Idle checks the selected list when this node commits a post (Wake)
// and every IdlePoll (one indexed query) until the client says DONE, so a
// new post is announced at once from this node and within about a second
// from any other, on either store.
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	t := time.NewTicker(s.srv.cfg.IdlePoll)
	defer t.Stop()
	for tick := 1; ; tick++ {
		select {
		case <-stop:
			return nil
		case <-t.C:
		case <-s.srv.woken():
		}
		if tick%30 == 0 && s.sel != nil {
			s.need() // a reader removed from the list stops hearing of its posts
		}
		ctx, cancel := s.ctx()
		err := s.poll(ctx, w, true)
		cancel()
		if err != nil {
			return err
		}
	}
}

// seqOf is the sequence number of uid (0: not in the mailbox).
func (sel *selected) seqOf(uid imap.UID) uint32 {
	i := sort.Search(len(sel.uids), func(i int) bool { return sel.uids[i] >= uid })
	if i < len(sel.uids) && sel.uids[i] == uid {
		return uint32(i + 1)
	}
	return 0
}
