package store

import (
	"context"
	"time"
)

// Moderation is what the moderation engine keeps beyond the held queue:
// per-list moderation settings, sender rules, new members' approved-post
// counts, moderators' notification preferences, the notices sent for each
// held item and the single-use tokens of their reply addresses.
type Moderation interface {
	// ModerationSettings returns a list's settings, or the defaults when
	// the list has none stored.
	ModerationSettings(ctx context.Context, listID int64) (*ListModeration, error)
	// SetModerationSettings stores them and audits the change as by.
	SetModerationSettings(ctx context.Context, s *ListModeration, by string) error

	// SenderRules lists a list's rules by pattern.
	SenderRules(ctx context.Context, listID int64) ([]*SenderRule, error)
	// MatchSenderRules returns the rules whose pattern is one of patterns.
	MatchSenderRules(ctx context.Context, listID int64, patterns []string) ([]*SenderRule, error)
	// SetSenderRule adds or replaces the rule for r.Pattern, audited as r.By
	// in the same transaction.
	SetSenderRule(ctx context.Context, r *SenderRule) error
	// RemoveSenderRule deletes a rule (audited); ErrNotFound when absent.
	RemoveSenderRule(ctx context.Context, listID int64, pattern, by string) error

	// ApprovedPosts counts the posts of address a moderator approved on a
	// list; AddApprovedPost adds one. New members are moderated until the
	// count reaches the list's NewMemberPosts.
	ApprovedPosts(ctx context.Context, listID int64, address string) (int, error)
	AddApprovedPost(ctx context.Context, listID int64, address string) error

	// ListStaff returns a list's owners and moderators with their
	// notification preference (NotifyEach unless set).
	ListStaff(ctx context.Context, listID int64) ([]*Staff, error)
	SetStaffNotify(ctx context.Context, listID int64, address, notify string) error

	// ListQueue pages the pending items of the given lists, oldest first
	// (ids greater than after), leaving out items a sender rule rejects.
	ListQueue(ctx context.Context, listIDs []int64, after int64, limit int) ([]*QueueItem, error)
	// DeferHeld notes that a moderator looked and left a pending item for
	// later (audited); ErrAlreadyHandled when it is no longer pending.
	DeferHeld(ctx context.Context, heldID int64, by, note string) error
	// HeldNote returns an item's defer note; ErrNotFound when there is none.
	HeldNote(ctx context.Context, heldID int64) (*HeldNote, error)

	// UnnotifiedHeld returns pending items no notice was sent for yet.
	UnnotifiedHeld(ctx context.Context, limit int) ([]*Held, error)
	// SaveHeldNotice records that n.HeldID was notified and, in the same
	// transaction, stores its reply tokens and queues its mail. Exactly one
	// of several concurrent callers for one item succeeds; the others get
	// ErrAlreadyHandled and nothing is queued for them.
	SaveHeldNotice(ctx context.Context, n *HeldNotice) error
	// PeekModerationToken returns an unused, unexpired reply token;
	// UseModerationToken marks it used (ErrNotFound when it is unknown,
	// used or expired; one of several concurrent users wins).
	PeekModerationToken(ctx context.Context, hash string, now time.Time) (*ModerationToken, error)
	UseModerationToken(ctx context.Context, hash string, now time.Time) error

	// ExpiredHeld returns pending items older than their list's HoldDays.
	ExpiredHeld(ctx context.Context, now time.Time, limit int) ([]*Held, error)
	// PendingLists counts pending items per list (sender-rule rejections
	// left out), for reminders.
	PendingLists(ctx context.Context) ([]*PendingCount, error)
	// EnqueueOnce queues mails unless key was used before, in one
	// transaction; it reports whether they were queued. Keys make "once per
	// sender per day" notices exact across nodes.
	EnqueueOnce(ctx context.Context, key string, mails ...*QueuedMail) (bool, error)
	// ForgetOnce removes keys made before t.
	ForgetOnce(ctx context.Context, before time.Time) (int64, error)
}

// ReasonRuleReject is the hold reason of a post whose sender a rule
// rejects: the moderation engine rejects it at once (telling the sender
// once), so queues and reminders leave it out.
const ReasonRuleReject = "the sender is on the list's reject list"

// Moderation defaults, used when a list has no stored settings.
const (
	DefaultMaxRecipients = 10
	DefaultHoldDays      = 14
)

// ListModeration is one list's moderation settings.
type ListModeration struct {
	ListID int64
	// NewMemberPosts: a member who joined after NewMemberSince has posts
	// held until this many were approved (0: off).
	NewMemberPosts int
	NewMemberSince time.Time
	// MaxRecipients: more To and Cc addresses hold a post (0: no limit).
	MaxRecipients int
	// AcceptTypes: comma-separated MIME types (text/plain, image/*); a post
	// with a part of another type is held. Empty accepts every type.
	AcceptTypes string
	// HoldDays: pending items expire after this many days.
	HoldDays int
	Updated  time.Time
}

// DefaultModeration returns the settings a list has until changed.
func DefaultModeration(listID int64) *ListModeration {
	return &ListModeration{ListID: listID, MaxRecipients: DefaultMaxRecipients, HoldDays: DefaultHoldDays}
}

// Sender rule actions.
const (
	RuleAccept  = "accept"
	RuleHold    = "hold"
	RuleReject  = "reject"
	RuleDiscard = "discard"
)

// SenderRule is what a list does with posts from an address or domain.
type SenderRule struct {
	ListID  int64
	Pattern string // lower-case address, or *@domain
	Action  string
	By      string
	Created time.Time
}

// Moderator notification preferences.
const (
	NotifyEach  = "each"  // a notice per held item, answerable by reply
	NotifyDaily = "daily" // only the daily summary
)

// Staff is an owner or moderator of a list.
type Staff struct {
	Member
	Notify string
}

// HeldNote is a moderator's note on an item left for later.
type HeldNote struct {
	HeldID int64
	Note   string
	By     string
	At     time.Time
}

// QueueItem is a pending held item as the queue shows it.
type QueueItem struct {
	Held
	Deferred *HeldNote // nil unless a moderator deferred it
}

// HeldNotice is everything sent when an item is first held.
type HeldNotice struct {
	HeldID int64
	Tokens []*ModerationToken
	Mails  []*QueuedMail
	// Once-per-period mail (the sender's "awaits moderation"): queued only
	// when OnceKey was never used.
	OnceKey  string
	OnceMail *QueuedMail
}

// ModerationToken lets the holder of a notice act on one held item by
// replying to LIST-moderate+TOKEN@. Only its hash is stored.
type ModerationToken struct {
	Hash    string
	HeldID  int64
	ListID  int64
	Address string // the moderator it was sent to
	Created time.Time
	Expires time.Time
	Used    time.Time
}

// PendingCount is how much waits on one list.
type PendingCount struct {
	ListID int64
	Count  int
	Oldest time.Time
}
