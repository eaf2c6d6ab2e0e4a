package imapd

import (
	"context"
	"errors"
	"strings"

	"github.com/demnet-uk/listserv/listserv/archive"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Access decides whether a signed-in person may read a list's archive.
// member is their membership of l, nil when they have none. The server
// asks on every command that touches a list, so a member removed from a
// members-only list loses it at their next command.
type Access interface {
	MayRead(ctx context.Context, l *store.List, member *store.Member) (bool, error)
}

// ArchiveAccess applies the web archive's rule (archive.CanRead: "off"
// hides the archive from everyone, "members" shows it to members,
// "public" to anyone), so the web and IMAP never disagree; on top, a
// public list hidden from the directory stays out of non-members' LIST.
type ArchiveAccess struct {
	St interface {
		GetListAccess(ctx context.Context, listID int64) (*store.ListAccess, error)
	}
}

// MayRead implements Access.
func (a ArchiveAccess) MayRead(ctx context.Context, l *store.List, member *store.Member) (bool, error) {
	if removed(l) {
		return false, nil
	}
	role := ""
	if member != nil {
		role = member.Role
		if role == "" {
			role = store.RoleMember
		}
	}
	if archive.CanRead(l, role, true) != archive.Allowed {
		return false, nil
	}
	if member != nil {
		return true, nil
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
