package delivery

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Store is what the engine needs: the outbound queue's leases and
// outcomes, and the post, list and member each copy is made from.
type Store interface {
	ClaimChunk(ctx context.Context, owner string, lease time.Duration, size int) (*store.Chunk, error)
	ChunkMembers(ctx context.Context, c *store.Chunk) ([]*store.Member, error)
	CheckpointChunk(ctx context.Context, c *store.Chunk, lease time.Duration, res store.ChunkResult) error
	CompleteChunk(ctx context.Context, c *store.Chunk, res store.ChunkResult) error
	ClaimRetries(ctx context.Context, owner string, lease time.Duration, limit int) ([]*store.Retry, error)
	FinishRetry(ctx context.Context, r *store.Retry, f *store.Failure, next time.Time) error
	ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]*store.QueuedMail, error)
	FinishMail(ctx context.Context, m *store.QueuedMail, f *store.Failure, next time.Time) error
	MailBody(ctx context.Context, id int64) ([]byte, error)
	FinishMails(ctx context.Context, rs []store.MailResult) error
	store.DigestJobs

	GetMessage(ctx context.Context, id int64) (*store.Message, error)
	GetListByID(ctx context.Context, id int64) (*store.List, error)
	GetMemberByID(ctx context.Context, id int64) (*store.Member, error)
	GetMemberPrefs(ctx context.Context, memberID int64) (*store.MemberPrefs, error)
}

// Outbox is where the capture transport keeps copies.
type Outbox interface {
	CaptureCopies(ctx context.Context, cs []*store.Captured) error
}
