package imapd

import (
	"context"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Store changes the reader's own \Seen and \Flagged, the only writes
// this server takes. \Deleted is refused (nothing leaves an archive);
// other flags and keywords are not kept (PERMANENTFLAGS says so) and are
// ignored rather than failing a client that marks a post \Answered.
func (s *session) Store(w *imapserver.FetchWriter, numSet imap.NumSet, sf *imap.StoreFlags, _ *imap.StoreOptions) error {
	sel, err := s.need()
	if err != nil {
		return err
	}
	if sel.readOnly {
		return noPerm("This mailbox was opened with EXAMINE (read-only); SELECT it to mark posts seen or flagged")
	}
	var seen, flagged bool
	for _, f := range sf.Flags {
		switch strings.ToLower(string(f)) {
		case `\seen`:
			seen = true
		case `\flagged`:
			flagged = true
		case `\deleted`:
			if sf.Op != imap.StoreFlagsDel {
				return noPerm("Posts cannot be deleted from a list archive; only \\Seen and \\Flagged can be set here")
			}
		}
	}
	refs := sel.resolve(numSet)
	if sel.box.list == nil || len(refs) == 0 {
		return nil
	}
	ctx, cancel := s.ctx()
	defer cancel()
	for len(refs) > 0 {
		n := min(len(refs), fetchBatch)
		if err := s.storeBatch(ctx, w, sel, refs[:n], sf, seen, flagged); err != nil {
			return err
		}
		refs = refs[n:]
	}
	return nil
}

func (s *session) storeBatch(ctx context.Context, w *imapserver.FetchWriter, sel *selected, refs []msgRef, sf *imap.StoreFlags, seen, flagged bool) error {
	listID := sel.box.list.ID
	flags, err := s.flagsOf(ctx, listID, refs)
	if err != nil {
		return err
	}
	var changed []*store.IMAPFlags
	for _, r := range refs {
		old := flags[r.uid]
		if old == nil {
			old = &store.IMAPFlags{UID: int64(r.uid)}
			flags[r.uid] = old
		}
		nf := *old
		switch sf.Op {
		case imap.StoreFlagsSet:
			nf.Seen, nf.Flagged = seen, flagged
		case imap.StoreFlagsAdd:
			nf.Seen, nf.Flagged = nf.Seen || seen, nf.Flagged || flagged
		case imap.StoreFlagsDel:
			nf.Seen, nf.Flagged = nf.Seen && !seen, nf.Flagged && !flagged
		}
		if nf != *old {
			*old = nf
			changed = append(changed, old)
		}
	}
	if len(changed) > 0 {
		if err := s.srv.st.SetIMAPFlags(ctx, s.address, listID, changed); err != nil {
			return s.internal("store flags", err)
		}
	}
	if sf.Silent {
		return nil
	}
	for _, r := range refs {
		rw := w.CreateMessage(r.seq)
		rw.WriteUID(r.uid)
		rw.WriteFlags(flagList(flags[r.uid]))
		if err := rw.Close(); err != nil {
			return err
		}
	}
	return nil
}
