package store

import (
	"context"
	"time"
)

// Digests keep each digest member's schedule, cursor and next due time.
// Entering and leaving digest mode (members.mode, however it changes)
// moves the cursor in the same transaction as the mode.
type Digests interface {
	// GetDigestState returns a membership's digest settings and state;
	// the defaults (and no due time) when it never had any.
	GetDigestState(ctx context.Context, memberID int64) (*DigestState, error)
	// SetDigestSettings saves hour, weekday, zone and format, and has the
	// engine reschedule the member if they are in digest mode.
	SetDigestSettings(ctx context.Context, s *DigestSettings) error
	// ClaimDigests leases up to limit members whose digest is due at now
	// (next_due <= now, found by index), oldest due first; several nodes
	// share the work (FOR UPDATE SKIP LOCKED on PostgreSQL).
	ClaimDigests(ctx context.Context, owner string, lease time.Duration, now time.Time, limit int) ([]*DigestState, error)
	// NextDigestDue is the earliest due time of any digest member, and
	// false when there is none.
	NextDigestDue(ctx context.Context) (time.Time, bool, error)
	// CommitDigest queues the digest mail and moves the cursor and the due
	// time in one transaction, and releases the lease. ErrLeaseLost when
	// the lease was taken over or the member's state changed since the
	// claim (nothing is queued then).
	CommitDigest(ctx context.Context, d *DigestState, o DigestOutcome) error
	// CommitDigests is CommitDigest for a claimed batch in one
	// transaction (one disk sync for the batch, not one per member): each
	// member's cursor moves with their own mail, fenced as in
	// CommitDigest. A member whose claim was lost is left out, nothing of
	// theirs queued, and their index in cs is returned in lost. It does
	// not set the queued mails' IDs.
	CommitDigests(ctx context.Context, cs []DigestCommit) (lost []int, err error)
	// DigestPosts returns archived posts of a list with UIDs in
	// (after, upto], in UID order, at most limit (keyset paging).
	DigestPosts(ctx context.Context, listID, after, upto int64, limit int) ([]*Message, error)
	// LastUID is the newest archive UID of a list (0 when none).
	LastUID(ctx context.Context, listID int64) (int64, error)
	// DigestMembers pages through a list's members in digest mode (ids
	// above after), for `digest send` and previews.
	DigestMembers(ctx context.Context, listID, after int64, limit int) ([]*DigestState, error)
	DigestsDueNow
	ListDigests
}

// ListDigests are a list's digest defaults, set by its owners.
type ListDigests interface {
	// GetListDigest returns the list's digest defaults (the server's when
	// none were set) and when a digest of the list last went out.
	GetListDigest(ctx context.Context, listID int64) (*ListDigest, error)
	// SetListDigest saves the defaults; members who enter digest mode
	// afterwards start with its hour and weekday.
	SetListDigest(ctx context.Context, d *ListDigest) error
}

// ListDigest is a list's digest defaults.
type ListDigest struct {
	ListID   int64
	Hour     int          // a new digest member's hour (default 7)
	Weekday  time.Weekday // and weekday for weekly digests (default Monday)
	MaxPosts int          // posts per digest part; 0: the server's default (40)
	MaxBytes int64        // bytes per part; 0: the server's default (1 MB)
	LastSent time.Time    // read only: the latest digest of the list; zero: none yet
}

// Digest formats; "" means the member's HTML-or-plain preference.
const (
	DigestPlain   = "plain"
	DigestMIME    = "mime"
	DigestHTML    = "html"
	DigestSummary = "summary"
)

// DigestSettings are a member's digest choices.
type DigestSettings struct {
	MemberID int64
	Hour     int          // 0-23
	Weekday  time.Weekday // weekly digests
	Zone     string       // IANA time zone
	Format   string       // plain, mime, html, summary or "" (from Person.Format)
}

// DefaultDigestSettings: 07:00, Mondays for weekly, London, format by
// the person's preference.
func DefaultDigestSettings(memberID int64) DigestSettings {
	return DigestSettings{MemberID: memberID, Hour: 7, Weekday: time.Monday, Zone: "Europe/London"}
}

// DigestState is one membership's digest settings, cursor and schedule,
// with what sending needs (the member, the period, the person's format).
type DigestState struct {
	DigestSettings
	Member       *Member
	Period       string // DigestDaily or DigestWeekly (member_prefs)
	PersonFormat string // FormatHTML or FormatPlain
	Cursor       int64  // last UID the member had
	FinalUpto    int64  // > 0: left digest mode; last digest up to this UID
	Active       bool   // in digest mode, or owed a last digest
	NextDue      time.Time
	LastSent     time.Time
	Owner        string
	LeaseMS      int64 // the claim's lease end: CommitDigest's fencing token
}

// DigestOutcome is what the engine did with a claimed member.
type DigestOutcome struct {
	Cursor  int64     // the last UID now included
	NextDue time.Time // zero: stop (the member left digest mode)
	Sent    time.Time // when it went out; zero when nothing was sent
	Mail    []*QueuedMail
	// Parts are the member's digest parts, queued as digest jobs by
	// CommitDigests (CommitDigest queues only Mail).
	Parts []DigestPart
}

// DigestCommit is one claimed member and what the engine did for them.
type DigestCommit struct {
	State   *DigestState
	Outcome DigestOutcome
}

// DigestsDueNow is the one method `digest send --now` adds: every active
// digest member of a list becomes due at at (their next claim sends what
// they have pending). It returns how many were made due.
type DigestsDueNow interface {
	MakeDigestsDue(ctx context.Context, listID int64, at time.Time) (int64, error)
}
