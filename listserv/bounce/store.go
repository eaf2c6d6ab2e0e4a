package bounce

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Store is what the bounce engine needs: members, their scores, leaving
// with evidence, the list's staff and the mail queue.
type Store interface {
	GetMember(ctx context.Context, listID int64, address string) (*store.Member, error)
	GetMemberByID(ctx context.Context, id int64) (*store.Member, error)
	GetListByID(ctx context.Context, id int64) (*store.List, error)
	RecordBounce(ctx context.Context, b store.BounceEvent) (*store.BounceOutcome, error)
	EnableDelivery(ctx context.Context, memberID int64) (*store.Member, error)
	ExpireBounces(ctx context.Context, cutoff time.Time) (int, error)
	LeaveList(ctx context.Context, memberID int64, c *store.Consent) (*store.Member, error)
	ListStaff(ctx context.Context, listID int64) ([]*store.Staff, error)
	EnqueueMail(ctx context.Context, m *store.QueuedMail) error
}
