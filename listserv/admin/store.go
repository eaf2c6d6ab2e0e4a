package admin

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Store is what the admin actions read and write.
type Store interface {
	AddMembers(ctx context.Context, listID int64, ms []store.NewMember) (added, skipped int, err error)
	GetMember(ctx context.Context, listID int64, address string) (*store.Member, error)
	UpdateMember(ctx context.Context, m *store.Member, a *store.Audit) error
	ListFootprint(ctx context.Context, listID int64) (*store.ListFootprint, error)
	RemoveList(ctx context.Context, listID int64, purge bool, a *store.Audit) error
}
