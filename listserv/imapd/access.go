package imapd

import (
	"context"
	"errors"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Access decides whether a signed-in person may read a list's archive.
// member is their membership of l, nil when they have none. The server
// asks on every command that touches a list, so a member removed from a
// members-only list loses it at their next command.
//
// TODO(archive): the web archive's visibility rules (issue 18's other
// half) should be the one source of truth; when they land, the server
// wires their decision here instead of ArchiveAccess.
type Access interface {
	MayRead(ctx context.Context, l *store.List, member *store.Member) (bool, error)
}

// ArchiveAccess reads the list's archive setting: "off" hides the
// archive from everyone, "members" shows it to members, "public" to any
// signed-in person unless the list itself is hidden from the directory.
type ArchiveAccess struct {
	St interface {
		GetListAccess(ctx context.Context, listID int64) (*store.ListAccess, error)
	}
}

// MayRead implements Access.
func (a ArchiveAccess) MayRead(ctx context.Context, l *store.List, member *store.Member) (bool, error) {
	switch {
	case removed(l) || l.Archive == "off":
		return false, nil
	case member != nil:
		return true, nil
	case l.Archive != "public":
		return false, nil
	}
	acc, err := a.St.GetListAccess(ctx, l.ID)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return acc.Visibility != store.VisibilityHidden, nil
}

// removed: RemoveList renames a list to ADDRESS+removed-ID ('+' cannot be
// in a live list's address).
func removed(l *store.List) bool { return strings.Contains(l.LocalPart(), "+") }
