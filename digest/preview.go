package digest

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ErrNoPosts: a preview has nothing to show.
var ErrNoPosts = errors.New("no posts to put in a digest")

// Preview renders what a member would get now (every part, one after the
// other) without sending or moving anything. Without an address it shows
// a daily digest of the list's last posts; format "" is the member's.
func (e *Engine) Preview(ctx context.Context, l *store.List, address, format string) ([]byte, error) {
	last, err := e.st.LastUID(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	d := &store.DigestState{DigestSettings: store.DefaultDigestSettings(0), Period: store.DigestDaily,
		PersonFormat: store.FormatHTML, Cursor: max(0, last-int64(e.cfg.MaxPosts)),
		Member: &store.Member{ListID: l.ID, Address: "member@example.invalid", Status: store.StatusEnabled}}
	if address != "" {
		m, err := e.st.GetMember(ctx, l.ID, address)
		if err != nil {
			return nil, fmt.Errorf("member %s: %w", address, err)
		}
		if d, err = e.st.GetDigestState(ctx, m.ID); err != nil {
			return nil, err
		}
	}
	if format != "" {
		d.Format = format
	}
	msgs, err := e.st.DigestPosts(ctx, l.ID, d.Cursor, last, e.cfg.MaxRun)
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, ErrNoPosts
	}
	bt := e.newBatch()
	li, err := bt.list(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	ps, err := e.parts(li, d, msgs, e.Now())
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for i := range ps {
		e.copyOf(li.l, d.MemberID, &ps[i]).AppendHead(&b, e.tokens)
		b.Write(ps[i].Shared)
	}
	return b.Bytes(), nil
}
