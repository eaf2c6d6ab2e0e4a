package inbox

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Store is what the processor needs: the inbox's leases and outcomes, and
// the list an item was sent to.
type Store interface {
	ClaimInbox(ctx context.Context, owner string, lease time.Duration, limit int) ([]*store.InboxItem, error)
	FinishInbox(ctx context.Context, it *store.InboxItem, state, note string) error
	RetryInbox(ctx context.Context, it *store.InboxItem, next time.Time, note string) error
	GetListByID(ctx context.Context, id int64) (*store.List, error)
}
