package subscribe

import (
	"context"
	"encoding/csv"
	"io"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// CSVHeader is what `member export` writes; its first three columns are
// what `member import` reads, so an export can be imported elsewhere.
var CSVHeader = []string{"address", "name", "mode", "role", "status", "source", "joined"}

// ExportCSV writes a list's members, paging by id so that a list of any
// size streams in constant memory.
func ExportCSV(ctx context.Context, st MemberPager, listID int64, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	n := 0
	for after := int64(0); ; {
		page, err := st.ListMembers(ctx, listID, after, 1000)
		if err != nil {
			return n, err
		}
		for _, m := range page {
			if err := cw.Write([]string{m.Address, m.Name, m.Mode, m.Role, m.Status, m.Source,
				m.Created.UTC().Format(time.RFC3339)}); err != nil {
				return n, err
			}
			after = m.ID
			n++
		}
		if len(page) < 1000 {
			break
		}
	}
	cw.Flush()
	return n, cw.Error()
}

// InviteAll invites each address that is not yet a member and has no open
// invitation, and returns how many invitations went out.
func (e *Engine) InviteAll(ctx context.Context, l *store.List, ms []store.NewMember, by string) (sent, skipped int, err error) {
	for _, m := range ms {
		ok, err := e.Invite(ctx, l, m.Address, m.Name, by, "import")
		if err != nil {
			return sent, skipped, err
		}
		if ok {
			sent++
		} else {
			skipped++
		}
	}
	return sent, skipped, nil
}
