// Package store defines everything listserv keeps and the one interface the
// rest of the server uses to keep it. Package sqldb implements it on SQLite
// and PostgreSQL; storetest is the conformance suite both must pass.
//
// Engines never see tables or SQL: each declares the few methods it uses
// as its own small interface (delivery.Store, inbox.Store, ...), which
// sqldb.DB satisfies. Store is the whole, which server wires in.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors callers test with errors.Is.
var (
	ErrNotFound       = errors.New("not found")
	ErrExists         = errors.New("already exists")
	ErrAlreadyHandled = errors.New("already handled")
	ErrLeaseLost      = errors.New("lease lost")
	ErrSchemaTooNew   = errors.New("database schema is newer than this binary")
)

// Store is everything the server keeps.
type Store interface {
	Lists
	Members
	Messages
	Queue
	Outbox
	Settings
	Cluster
	Web
	Moderation
	Subscriptions
	Digests
	Operator
	Bounces
	Archive
	ArchiveIndex
	IMAP
	Items
	ItemFeeds
	Deliverability
	Owners
	Admins
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	Close() error
}

// Lists are the mailing lists.
type Lists interface {
	CreateList(ctx context.Context, l *List) error
	GetList(ctx context.Context, address string) (*List, error)
	GetListByID(ctx context.Context, id int64) (*List, error)
	// GetListByListID finds a list by its RFC 2919 id (team.lists.example.org)
	// in one indexed lookup; ErrNotFound when none.
	GetListByListID(ctx context.Context, listID string) (*List, error)
	AllLists(ctx context.Context) ([]*List, error)
	UpdateList(ctx context.Context, l *List) error
}

// Members are subscriptions: one address on one list.
type Members interface {
	// AddMembers adds new members in one transaction; addresses already on the
	// list are left as they are and counted in skipped.
	AddMembers(ctx context.Context, listID int64, ms []NewMember) (added, skipped int, err error)
	RemoveMembers(ctx context.Context, listID int64, addresses []string) (int, error)
	RemoveMemberByID(ctx context.Context, id int64) error
	GetMember(ctx context.Context, listID int64, address string) (*Member, error)
	GetMemberByID(ctx context.Context, id int64) (*Member, error)
	// ListMembers pages through a list by id (keyset): ids greater than after.
	ListMembers(ctx context.Context, listID, after int64, limit int) ([]*Member, error)
	CountMembers(ctx context.Context, listID int64) (int64, error)
}

// Messages are stored inbound mail, the archive and the held queue.
type Messages interface {
	// SaveIntake stores a batch of inbound messages in one transaction (group
	// commit); when it returns nil every item is durable and has its IDs set,
	// or is marked Duplicate: the list already has its Message-ID, decided
	// atomically by a unique index, so concurrent copies store one.
	SaveIntake(ctx context.Context, items []*Intake) error
	GetMessage(ctx context.Context, id int64) (*Message, error)
	ListHeld(ctx context.Context, listID int64) ([]*Held, error)
	GetHeld(ctx context.Context, id int64) (*Held, error)
	// ResolveHeld acts on a pending held item exactly once. Approving stores
	// the post in the archive and queues its fan-out in the same transaction.
	// A second action gets ErrAlreadyHandled and the Held as it was left.
	ResolveHeld(ctx context.Context, id int64, action HeldAction, by, note string) (*Held, error)
	// SaveInbox keeps administrative mail (-request, -join, -leave, -bounces)
	// for the engines that process it.
	SaveInbox(ctx context.Context, in *InboxItem) error
	// ClaimInbox leases new inbox items; FinishInbox records the outcome.
	ClaimInbox(ctx context.Context, owner string, lease time.Duration, limit int) ([]*InboxItem, error)
	FinishInbox(ctx context.Context, it *InboxItem, state, note string) error
	// RetryInbox releases a leased item for another attempt at next,
	// counting the attempt and keeping note (the last error);
	// ErrLeaseLost if another owner has it.
	RetryInbox(ctx context.Context, it *InboxItem, next time.Time, note string) error
	// GetInbox returns one item with its state, note and attempts.
	GetInbox(ctx context.Context, id int64) (*InboxItem, error)
	// HoldSubscription puts a subscription request in the held queue;
	// approving it adds the member in the same transaction.
	HoldSubscription(ctx context.Context, listID int64, m NewMember, reason string) (*Held, error)
}

// Queue is the durable outbound work: fan-out chunks, retries and the
// server's own notices. Every claim is a lease so several nodes can share it.
type Queue interface {
	// ClaimChunk takes over an expired chunk, or cuts the next slice of up to
	// size members from an open fan-out, leased to owner. ErrNotFound: no work.
	ClaimChunk(ctx context.Context, owner string, lease time.Duration, size int) (*Chunk, error)
	// ChunkMembers returns the members a chunk still has to reach.
	ChunkMembers(ctx context.Context, c *Chunk) ([]*Member, error)
	RenewChunk(ctx context.Context, c *Chunk, lease time.Duration) error
	// CheckpointChunk files res (sent so far, failures so far) and moves the
	// checkpoint to c.SentUpto in one transaction, renewing the lease.
	CheckpointChunk(ctx context.Context, c *Chunk, lease time.Duration, res ChunkResult) error
	// CompleteChunk records the outcome; ErrLeaseLost if another owner has it.
	CompleteChunk(ctx context.Context, c *Chunk, res ChunkResult) error
	ClaimRetries(ctx context.Context, owner string, lease time.Duration, limit int) ([]*Retry, error)
	FinishRetry(ctx context.Context, r *Retry, f *Failure, next time.Time) error
	EnqueueMail(ctx context.Context, m *QueuedMail) error
	ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]*QueuedMail, error)
	FinishMail(ctx context.Context, m *QueuedMail, f *Failure, next time.Time) error
	SharedMail
	DigestJobs
	ListFailures(ctx context.Context, memberID int64) ([]*Failure, error)
	// Pending counts queued work: open fan-outs, leased chunks, retries, mail.
	Pending(ctx context.Context) (QueueStats, error)
}

// Outbox keeps the copies captured when no relay is configured.
type Outbox interface {
	CaptureCopies(ctx context.Context, cs []*Captured) error
	// ListOutbox pages newest first: ids below before (0 = from the newest).
	ListOutbox(ctx context.Context, before int64, limit int) ([]*Captured, error)
	GetCaptured(ctx context.Context, id int64) (*Captured, error)
}

// Cluster is what several serve processes on one database coordinate by.
type Cluster interface {
	// Lead blocks until owner leads the named job, runs fn with a context
	// that ends when leadership is lost, and repeats until ctx ends.
	Lead(ctx context.Context, name, owner string, fn func(ctx context.Context)) error
	// WatchWork calls fn when another node queues work (a wake-up only).
	WatchWork(ctx context.Context, fn func()) error
	// Housekeep removes finished queue rows; the leader runs it.
	Housekeep(ctx context.Context) (int64, error)
}

// Settings holds server-wide values such as the token secret.
type Settings interface {
	// Secret returns the server's HMAC key, created on first use.
	Secret(ctx context.Context) ([]byte, error)
	// Setting returns the text stored under key; ErrNotFound when unset.
	Setting(ctx context.Context, key string) (string, error)
	// SetSetting stores value under key, replacing an earlier value.
	SetSetting(ctx context.Context, key, value string) error
}

// SettingBaseURL is the web UI's public URL as the last `serve` used it,
// so links printed by other commands point where serve answers.
const SettingBaseURL = "base_url"

// Operator changes members and lists as a whole; each method writes its
// audit row in the same transaction as the change.
type Operator interface {
	// UpdateMember saves m's name, role and mode (found by m.ID);
	// ErrNotFound when there is no such member.
	UpdateMember(ctx context.Context, m *Member, a *Audit) error
	// ListFootprint counts what removing the list would take away.
	ListFootprint(ctx context.Context, listID int64) (*ListFootprint, error)
	// RemoveList stops a list: its members, held items and queued work go,
	// its address is freed. The archive is kept (hidden) unless purge,
	// which deletes everything of the list. a is recorded site-wide, so it
	// outlives a purge. ErrNotFound when the list is gone already.
	RemoveList(ctx context.Context, listID int64, purge bool, a *Audit) error
}

// ListFootprint is what a list holds.
type ListFootprint struct {
	Members      int64
	Held         int64 // pending items
	Posts        int64 // archived posts
	ArchiveBytes int64
}
