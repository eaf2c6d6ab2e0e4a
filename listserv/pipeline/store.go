package pipeline

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Store is what intake needs: the list and sender a post is decided by,
// and the two places accepted mail is kept (posts and administrative mail).
type Store interface {
	GetList(ctx context.Context, address string) (*store.List, error)
	GetMember(ctx context.Context, listID int64, address string) (*store.Member, error)
	ModerationSettings(ctx context.Context, listID int64) (*store.ListModeration, error)
	ApprovedPosts(ctx context.Context, listID int64, address string) (int, error)
	moderation.RuleStore

	SaveIntake(ctx context.Context, items []*store.Intake) error
	SaveInbox(ctx context.Context, in *store.InboxItem) error
}
