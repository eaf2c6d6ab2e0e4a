package admin

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/store"
)

// OwnerStore is what the owners' and site administrators' actions read and
// write; each write records its audit row in the same transaction.
type OwnerStore interface {
	Store
	GetListDigest(ctx context.Context, listID int64) (*store.ListDigest, error)
	SaveListSettings(ctx context.Context, l *store.List, d *store.ListDigest, a *store.Audit) error
	AddMembersAudited(ctx context.Context, listID int64, ms []store.NewMember, a *store.Audit) (added, skipped int, err error)
	RemoveMemberAudited(ctx context.Context, memberID int64, c *store.Consent, a *store.Audit) (*store.Member, error)
	EnableMemberAudited(ctx context.Context, memberID int64, a *store.Audit) (*store.Member, error)
	AddSiteAdmin(ctx context.Context, address string, a *store.Audit) error
	RemoveSiteAdmin(ctx context.Context, address string, a *store.Audit) error
	SaveSite(ctx context.Context, s *store.Site, a *store.Audit) error
	CreateListAudited(ctx context.Context, l *store.List, a *store.Audit) error
}
