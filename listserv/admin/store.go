package admin

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Store is what ImportMembers writes.
type Store interface {
	AddMembers(ctx context.Context, listID int64, ms []store.NewMember) (added, skipped int, err error)
}
