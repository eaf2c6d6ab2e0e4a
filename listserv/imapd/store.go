package imapd

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Store is what the IMAP server reads (and the one thing it writes: a
// reader's \Seen and \Flagged).
type Store interface {
	GetList(ctx context.Context, address string) (*store.List, error)
	GetListByID(ctx context.Context, id int64) (*store.List, error)
	AllLists(ctx context.Context) ([]*store.List, error)
	Memberships(ctx context.Context, address string) ([]*store.Member, error)
	GetMember(ctx context.Context, listID int64, address string) (*store.Member, error)
	GetListAccess(ctx context.Context, listID int64) (*store.ListAccess, error)

	ArchiveStatus(ctx context.Context, listID int64) (*store.ArchiveStatus, error)
	ArchiveUIDs(ctx context.Context, listID, after int64, limit int) ([]int64, error)
	ArchiveMessages(ctx context.Context, listID int64, uids []int64, raw bool) ([]*store.Message, error)
	SearchUIDs(ctx context.Context, listID int64, f store.ArchiveFilter) ([]int64, error)

	IMAPFlags(ctx context.Context, address string, listID, from, to int64) ([]*store.IMAPFlags, error)
	SetIMAPFlags(ctx context.Context, address string, listID int64, fs []*store.IMAPFlags) error
	CountIMAPSeen(ctx context.Context, address string, listID int64) (int64, error)
}

// Authenticator checks an address and app password (apppass.Engine);
// apppass.ErrBadPassword when they do not match.
type Authenticator interface {
	Verify(ctx context.Context, address, password string) (*store.AppPassword, error)
}
