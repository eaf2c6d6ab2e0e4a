package store

import (
	"context"
	"time"
)

// Owners is what the owners' pages and the matching commands change and
// read beyond the basic list and member methods. Every change writes its
// audit row in the same transaction.
type Owners interface {
	// SaveListSettings saves l's settings (footer included) and, when d is
	// not nil, its digest defaults, with a in one transaction.
	// ErrNotFound when the list is gone.
	SaveListSettings(ctx context.Context, l *List, d *ListDigest, a *Audit) error
	// AddMembersAudited is AddMembers with a (its Detail may be amended
	// with the counts) in the same transaction.
	AddMembersAudited(ctx context.Context, listID int64, ms []NewMember, a *Audit) (added, skipped int, err error)
	// RemoveMemberAudited deletes a member, keeping c as consent evidence
	// and a in the audit log, in one transaction; ErrNotFound when absent.
	RemoveMemberAudited(ctx context.Context, memberID int64, c *Consent, a *Audit) (*Member, error)
	// EnableMemberAudited turns a bounce-disabled member's delivery back
	// on (score and bounces cleared) with a; ErrNotFound when absent.
	EnableMemberAudited(ctx context.Context, memberID int64, a *Audit) (*Member, error)
	// SearchMembers pages a list's members in address order (keyset on
	// the address key) or, with ByName, those whose lower-cased name
	// starts with Prefix and whose address does not, in (name, id) order.
	// Both are range scans of an index: a page costs the same at any size.
	SearchMembers(ctx context.Context, listID int64, q MemberQuery) ([]*Member, error)
	// CountMemberModes counts a list's members by delivery mode and status
	// (one scan of an index on (list_id, mode, status)).
	CountMemberModes(ctx context.Context, listID int64) ([]*ModeCount, error)
}

// MemberQuery is one page of the members page.
type MemberQuery struct {
	// Prefix: lower-case start of the address (or, ByName, of the name);
	// "" lists everyone by address.
	Prefix string
	ByName bool
	// Keyset cursor: the last row of the previous page.
	AfterKey string // address key, or lower-cased name with ByName
	AfterID  int64  // with ByName
	Limit    int
}

// ModeCount is how many members of a list have one mode and status.
type ModeCount struct {
	Mode, Status string
	N            int64
}

// Admins are the site administrators and the site-wide settings they set.
type Admins interface {
	// AddSiteAdmin names a site administrator; ErrExists when already one.
	AddSiteAdmin(ctx context.Context, address string, a *Audit) error
	// RemoveSiteAdmin; ErrNotFound when the address is not one.
	RemoveSiteAdmin(ctx context.Context, address string, a *Audit) error
	// ListSiteAdmins returns every site administrator by address.
	ListSiteAdmins(ctx context.Context) ([]*SiteAdmin, error)
	// GetSiteAdmin returns one, or ErrNotFound.
	GetSiteAdmin(ctx context.Context, address string) (*SiteAdmin, error)
	// GetSite returns the site's name, introduction and contact address
	// (empty fields: the built-in defaults).
	GetSite(ctx context.Context) (*Site, error)
	// SaveSite stores them with a in one transaction.
	SaveSite(ctx context.Context, s *Site, a *Audit) error
	// CreateListAudited is CreateList with a site-wide audit row.
	CreateListAudited(ctx context.Context, l *List, a *Audit) error
}

// SiteAdmin is one site administrator.
type SiteAdmin struct {
	Address string
	AddedBy string
	Added   time.Time
}

// Site is what a site administrator sets; "" means the built-in default.
type Site struct {
	Name    string
	Intro   string
	Contact string
}
