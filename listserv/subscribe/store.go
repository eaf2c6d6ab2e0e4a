package subscribe

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Store is what the engine needs: joining and leaving with their consent
// records and tokens, preferences and profiles, a person's data, and the
// mail it sends.
type Store interface {
	GetListByID(ctx context.Context, id int64) (*store.List, error)
	GetListAccess(ctx context.Context, listID int64) (*store.ListAccess, error)
	SetListAccess(ctx context.Context, a *store.ListAccess, by string) error
	GetMember(ctx context.Context, listID int64, address string) (*store.Member, error)
	Memberships(ctx context.Context, address string) ([]*store.Member, error)

	JoinList(ctx context.Context, listID int64, m store.NewMember, c *store.Consent) (*store.Member, error)
	LeaveList(ctx context.Context, memberID int64, c *store.Consent) (*store.Member, error)
	HoldSubscription(ctx context.Context, listID int64, m store.NewMember, reason string) (*store.Held, error)
	ApprovedSubscriptions(ctx context.Context, since time.Time) ([]*store.Held, error)
	AddConsent(ctx context.Context, c *store.Consent) error
	ListConsent(ctx context.Context, address string) ([]*store.Consent, error)
	// Invite writes the invitations and their audit row in one transaction.
	Invite(ctx context.Context, listID int64, invs []*store.Invitation, lim store.TokenLimits, a *store.Audit) (int, error)

	CreateSubToken(ctx context.Context, t *store.SubToken, lim store.TokenLimits) error
	GetSubToken(ctx context.Context, hash string) (*store.SubToken, error)
	ConsumeSubToken(ctx context.Context, hash string, now time.Time) (*store.SubToken, error)
	Throttle(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error)

	GetMemberPrefs(ctx context.Context, memberID int64) (*store.MemberPrefs, error)
	SetDelivery(ctx context.Context, memberID int64, mode string, p *store.MemberPrefs) error
	GetPerson(ctx context.Context, address string) (*store.Person, error)
	SavePerson(ctx context.Context, p *store.Person) error

	GetMessage(ctx context.Context, id int64) (*store.Message, error)
	PostsBy(ctx context.Context, address string, after int64, limit int) ([]*store.PostMeta, error)
	AnonymisePost(ctx context.Context, messageID int64, raw []byte, name string) error
	EraseAddress(ctx context.Context, address string) (lists int, err error)
	ChangeAddress(ctx context.Context, from, to string) error

	EnqueueMail(ctx context.Context, m *store.QueuedMail) error
}

// MemberPager is what ExportCSV reads.
type MemberPager interface {
	ListMembers(ctx context.Context, listID, after int64, limit int) ([]*store.Member, error)
}
