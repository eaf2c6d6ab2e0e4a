package imapd

import (
	"bufio"
	"bytes"
	"context"
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/textproto"

	"github.com/demnet-uk/listserv/listserv/store"
)

// fetchBatch is how many posts one store query loads.
const fetchBatch = 200

// Fetch answers FETCH and UID FETCH from the stored bytes, a batch of
// posts at a time; only what was asked is loaded (flags alone need no
// message, sizes and dates no raw bytes). A body section without PEEK
// marks the post \Seen for this reader, except after EXAMINE.
func (s *session) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	sel, err := s.need()
	if err != nil {
		return err
	}
	refs := sel.resolve(numSet)
	if sel.box.list == nil || len(refs) == 0 {
		return nil
	}
	ctx, cancel := s.ctx()
	defer cancel()
	for len(refs) > 0 {
		n := min(len(refs), fetchBatch)
		if err := s.fetchBatch(ctx, w, sel, refs[:n], options); err != nil {
			return err
		}
		refs = refs[n:]
	}
	return nil
}

func needsRaw(o *imap.FetchOptions) bool {
	return o.Envelope || o.BodyStructure != nil || len(o.BodySection) > 0 || len(o.BinarySection) > 0 || len(o.BinarySectionSize) > 0
}

func marksSeen(o *imap.FetchOptions) bool {
	for _, bs := range o.BodySection {
		if !bs.Peek {
			return true
		}
	}
	return false
}

func (s *session) fetchBatch(ctx context.Context, w *imapserver.FetchWriter, sel *selected, refs []msgRef, o *imap.FetchOptions) error {
	listID := sel.box.list.ID
	raw := needsRaw(o)
	var msgs map[imap.UID]*store.Message
	if raw || o.RFC822Size || o.InternalDate {
		uids := make([]int64, len(refs))
		for i, r := range refs {
			uids[i] = int64(r.uid)
		}
		ms, err := s.srv.st.ArchiveMessages(ctx, listID, uids, raw)
		if err != nil {
			return s.internal("fetch", err)
		}
		msgs = make(map[imap.UID]*store.Message, len(ms))
		for _, m := range ms {
			msgs[imap.UID(m.UID)] = m
		}
	}
	seen := marksSeen(o) && !sel.readOnly
	var flags map[imap.UID]*store.IMAPFlags
	if o.Flags || seen {
		var err error
		if flags, err = s.flagsOf(ctx, listID, refs); err != nil {
			return err
		}
	}
	if seen {
		if err := s.markSeen(ctx, listID, refs, flags); err != nil {
			return err
		}
	}
	for _, r := range refs {
		m := msgs[r.uid]
		if msgs != nil && m == nil {
			continue // left the archive since SELECT; EXPUNGE follows
		}
		if err := writeMessage(w.CreateMessage(r.seq), r.uid, m, flags[r.uid], o, o.Flags || seen); err != nil {
			return err
		}
	}
	return nil
}

// flagsOf reads the reader's flags on refs (one range query).
func (s *session) flagsOf(ctx context.Context, listID int64, refs []msgRef) (map[imap.UID]*store.IMAPFlags, error) {
	fs, err := s.srv.st.IMAPFlags(ctx, s.address, listID, int64(refs[0].uid), int64(refs[len(refs)-1].uid))
	if err != nil {
		return nil, s.internal("flags", err)
	}
	out := make(map[imap.UID]*store.IMAPFlags, len(fs))
	for _, f := range fs {
		out[imap.UID(f.UID)] = f
	}
	return out, nil
}

// markSeen sets \Seen on refs not seen yet and updates flags to match.
func (s *session) markSeen(ctx context.Context, listID int64, refs []msgRef, flags map[imap.UID]*store.IMAPFlags) error {
	var set []*store.IMAPFlags
	for _, r := range refs {
		f := flags[r.uid]
		if f == nil {
			f = &store.IMAPFlags{UID: int64(r.uid)}
			flags[r.uid] = f
		}
		if !f.Seen {
			f.Seen = true
			set = append(set, f)
		}
	}
	if len(set) == 0 {
		return nil
	}
	if err := s.srv.st.SetIMAPFlags(ctx, s.address, listID, set); err != nil {
		return s.internal("mark seen", err)
	}
	return nil
}

func flagList(f *store.IMAPFlags) []imap.Flag {
	fl := []imap.Flag{}
	if f != nil && f.Seen {
		fl = append(fl, imap.FlagSeen)
	}
	if f != nil && f.Flagged {
		fl = append(fl, imap.FlagFlagged)
	}
	return fl
}

// writeMessage writes one FETCH response, as imapmemserver does, with
// go-imap's helpers building envelope, structure and sections from the
// raw bytes.
func writeMessage(rw *imapserver.FetchResponseWriter, uid imap.UID, m *store.Message, f *store.IMAPFlags, o *imap.FetchOptions, withFlags bool) error {
	rw.WriteUID(uid)
	if withFlags {
		rw.WriteFlags(flagList(f))
	}
	if o.InternalDate {
		rw.WriteInternalDate(m.Received)
	}
	if o.RFC822Size {
		rw.WriteRFC822Size(m.Size)
	}
	if o.Envelope {
		rw.WriteEnvelope(envelope(m.Raw))
	}
	if o.BodyStructure != nil {
		rw.WriteBodyStructure(imapserver.ExtractBodyStructure(bytes.NewReader(m.Raw)))
	}
	for _, bs := range o.BodySection {
		buf := imapserver.ExtractBodySection(bytes.NewReader(m.Raw), bs)
		if err := writeClose(rw.WriteBodySection(bs, int64(len(buf))), buf); err != nil {
			return err
		}
	}
	for _, bs := range o.BinarySection {
		buf := imapserver.ExtractBinarySection(bytes.NewReader(m.Raw), bs)
		wc := rw.WriteBinarySection(bs, int64(len(buf)))
		if err := writeClose(wc, buf); err != nil {
			return err
		}
	}
	for _, bss := range o.BinarySectionSize {
		rw.WriteBinarySectionSize(bss, imapserver.ExtractBinarySectionSize(bytes.NewReader(m.Raw), bss))
	}
	return rw.Close()
}

func writeClose(wc io.WriteCloser, buf []byte) error {
	_, err := wc.Write(buf)
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	return err
}

// envelope reads the header only.
func envelope(raw []byte) *imap.Envelope {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil
	}
	return imapserver.ExtractEnvelope(h)
}
