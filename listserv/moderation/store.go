package moderation

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// RuleStore is what SenderRule reads (the intake pipeline calls it).
type RuleStore interface {
	MatchSenderRules(ctx context.Context, listID int64, patterns []string) ([]*store.SenderRule, error)
}

// ActStore is what Act needs: the held item, the rule or count an action
// leaves behind, and the post and list a rejection notice is made from.
type ActStore interface {
	ResolveHeld(ctx context.Context, id int64, action store.HeldAction, by, note string) (*store.Held, error)
	DeferHeld(ctx context.Context, heldID int64, by, note string) error
	GetHeld(ctx context.Context, id int64) (*store.Held, error)
	AddApprovedPost(ctx context.Context, listID int64, address string) error
	SetSenderRule(ctx context.Context, r *store.SenderRule) error
	GetMessage(ctx context.Context, id int64) (*store.Message, error)
	GetListByID(ctx context.Context, id int64) (*store.List, error)
	EnqueueMail(ctx context.Context, m *store.QueuedMail) error
}

// SettingsStore is what UpdateSettings, SetRule and SetNotify change.
type SettingsStore interface {
	ModerationSettings(ctx context.Context, listID int64) (*store.ListModeration, error)
	SetModerationSettings(ctx context.Context, s *store.ListModeration, by string) error
	SetSenderRule(ctx context.Context, r *store.SenderRule) error
	SetStaffNotify(ctx context.Context, listID int64, address, notify string) error
}

// Store is what the engine needs: Act (for email replies), plus held
// notices, reply tokens, expiry and reminders.
type Store interface {
	ActStore
	GetMember(ctx context.Context, listID int64, address string) (*store.Member, error)
	ModerationSettings(ctx context.Context, listID int64) (*store.ListModeration, error)
	ListStaff(ctx context.Context, listID int64) ([]*store.Staff, error)
	ListQueue(ctx context.Context, listIDs []int64, after int64, limit int) ([]*store.QueueItem, error)

	UnnotifiedHeld(ctx context.Context, limit int) ([]*store.Held, error)
	SaveHeldNotice(ctx context.Context, n *store.HeldNotice) error
	PeekModerationToken(ctx context.Context, hash string, now time.Time) (*store.ModerationToken, error)
	UseModerationToken(ctx context.Context, hash string, now time.Time) error

	ExpiredHeld(ctx context.Context, now time.Time, limit int) ([]*store.Held, error)
	PendingLists(ctx context.Context) ([]*store.PendingCount, error)
	EnqueueOnce(ctx context.Context, key string, mails ...*store.QueuedMail) (bool, error)
	ForgetOnce(ctx context.Context, before time.Time) (int64, error)
}
