package store

import (
	"strings"
	"time"
)

// List policies: who may post without moderation.
const (
	PolicyOpen      = "open"
	PolicyMembers   = "members"
	PolicyModerated = "moderated"
	PolicyAnnounce  = "announce"
)

// Member roles, delivery modes and statuses.
const (
	RoleMember    = "member"
	RoleModerator = "moderator"
	RoleOwner     = "owner"

	ModeEach   = "each"
	ModeDigest = "digest"
	ModeNoMail = "nomail"

	StatusEnabled         = "enabled"
	StatusDisabledBounces = "disabled-bounces"
)

// List is one mailing list.
type List struct {
	ID            int64
	Address       string // lower case, e.g. team@example.org
	Name          string
	Description   string
	Kind          string // discussion (newsletter later)
	Policy        string
	Archive       string // public, members, off
	SubjectPrefix string
	ReplyTo       string // list or author
	MaxSize       int64  // 0: the server default
	Footer        string // plain text added to every post; "" none
	UIDValidity   uint32
	Created       time.Time
}

// LocalPart is the part of the address before the @.
func (l *List) LocalPart() string { lp, _, _ := strings.Cut(l.Address, "@"); return lp }

// Domain is the part of the address after the @.
func (l *List) Domain() string { _, d, _ := strings.Cut(l.Address, "@"); return d }

// ListID is the RFC 2919 identifier: the address with the @ turned into a dot.
func (l *List) ListID() string { return l.LocalPart() + "." + l.Domain() }

// SubAddress is a list's helper address such as team-request@example.org.
func (l *List) SubAddress(suffix string) string {
	return l.LocalPart() + "-" + suffix + "@" + l.Domain()
}

// NewMember is a member to add.
type NewMember struct {
	Address string
	Name    string
	Role    string // default member
	Mode    string // default each
	Source  string // operator, import, web, email: how consent was given
}

// Member is one subscription.
type Member struct {
	ID          int64
	ListID      int64
	Address     string
	Name        string
	Role        string
	Mode        string
	Status      string
	BounceScore float64
	Source      string
	Created     time.Time
}

// CanPostAnnounce reports whether the member may post to an announce list.
func (m *Member) CanPostAnnounce() bool { return m.Role == RoleOwner || m.Role == RoleModerator }

// Message states.
const (
	StateAccepted  = "accepted"
	StateHeld      = "held"
	StateRejected  = "rejected"
	StateDiscarded = "discarded"
	StateDropped   = "dropped" // loops and auto-replies: kept, never distributed
	StateOwner     = "owner"   // mail to LIST-owner: forwarded to owners, never archived
)

// Message is one inbound message, raw bytes exactly as received plus the
// fields we index.
type Message struct {
	ID           int64
	ListID       int64
	EnvelopeFrom string
	FromAddr     string
	FromName     string
	Subject      string
	MessageID    string // without angle brackets
	InReplyTo    string
	References   string // space separated, without angle brackets
	SentAt       time.Time
	Size         int64
	Raw          []byte
	State        string
	Reason       string
	UID          int64 // archive UID within the list, 0 until accepted
	Received     time.Time
}

// Intake is one item of a group commit.
type Intake struct {
	Message *Message // ListID and State set by the caller
	// Audience of the fan-out: members (default, accepted posts only) or
	// owners (mail to LIST-owner, in state owner).
	Audience string
	HeldID   int64 // set by SaveIntake when State is held
	// Duplicate is set by SaveIntake when the list already has a message
	// with this Message-ID (posts and owner mail apart): nothing was stored
	// and Message.ID stays 0. Messages without a Message-ID never are.
	Duplicate bool
}

// Held is one item waiting for a moderator.
type Held struct {
	ID          int64
	ListID      int64
	ListAddress string
	Kind        string // post, subscription (later: item)
	MessageID   int64
	Data        string // kind-specific JSON (subscription: the NewMember)
	From        string
	Subject     string
	Size        int64
	Reason      string
	State       string // pending, approved, rejected, discarded
	HandledBy   string
	HandledAt   time.Time
	Note        string
	Created     time.Time
}

// HeldAction is what a moderator does with a held item.
type HeldAction string

// Held actions.
const (
	Approve HeldAction = "approved"
	Reject  HeldAction = "rejected"
	Discard HeldAction = "discarded"
)

// InboxItem is administrative mail kept for later processing.
type InboxItem struct {
	ID           int64
	ListID       int64
	Kind         string // request, join, leave, bounces, confirm, moderate
	Token        string // from LIST-KIND+TOKEN@ addresses
	EnvelopeFrom string
	Raw          []byte
	Owner        string
	// Attempts is how many times a handler failed for a temporary
	// reason; NextAttempt is when it may be tried again.
	Attempts    int
	NextAttempt time.Time
	State, Note string // GetInbox only
}

// Inbox item states after processing.
const (
	InboxDone   = "done"
	InboxFailed = "failed"
	InboxKept   = "kept" // no handler yet (bounces): kept for later engines
)

// Chunk is a leased slice of one fan-out: members with IDs in
// (SentUpto, Last], at least First.
type Chunk struct {
	ID        int64
	FanoutID  int64
	MessageID int64
	ListID    int64
	Audience  string
	First     int64
	Last      int64
	SentUpto  int64
	Owner     string
	Taken     bool // re-leased after another owner's lease expired
}

// ChunkResult is what happened to a chunk's copies.
type ChunkResult struct {
	Sent     int
	Failures []Failure // temporary ones become retries, permanent ones are recorded
	RetryAt  time.Time
}

// Failure is one refused copy.
type Failure struct {
	MemberID  int64
	MessageID int64
	Rcpt      string
	Code      int
	Enhanced  string
	Text      string
	Temporary bool
	At        time.Time
	RetryAt   time.Time // a temporary failure's next try; zero: the chunk's RetryAt
}

// Retry is one copy waiting to be tried again.
type Retry struct {
	ID          int64
	MessageID   int64
	MemberID    int64
	Attempts    int
	FirstFailed time.Time
	Owner       string
}

// QueuedMail is one message the server itself sends (notices, replies,
// digests).
type QueuedMail struct {
	ID        int64
	From      string
	To        string
	Raw       []byte // the whole message; only its own header fields when it has a shared body
	Attempts  int
	Owner     string
	CreatedAt time.Time
	// Shared, on enqueue (CommitDigests), is a body many mails share: it
	// is stored once by content and the message is Raw then Shared.
	Shared []byte
	// SharedID, on a claimed mail, is its shared body (MailBody loads it);
	// 0: Raw is the whole message.
	SharedID int64
}

// MailResult is what became of one claimed queued mail.
type MailResult struct {
	Mail    *QueuedMail
	Failure *Failure  // nil: sent (or Skipped)
	Next    time.Time // a temporary failure's next attempt
	Skipped bool      // not tried (the lease ran short, the relay was down): release it
}

// Captured is one outbound copy kept instead of sent (capture mode).
type Captured struct {
	ID        int64
	MessageID int64
	From      string
	To        string
	Raw       []byte
	Created   time.Time
}

// QueueStats counts outstanding outbound work.
type QueueStats struct {
	OpenFanouts int64
	Chunks      int64
	Retries     int64
	Mail        int64
	DigestJobs  int64 // digest parts waiting for (some of) their members
	// Oldest waiting item of each kind (zero time when none): an open
	// fan-out's creation, a retry's first failure, a queued mail's or
	// digest part's creation.
	OldestFanout, OldestRetry, OldestMail, OldestDigest time.Time
}

// Idle reports whether nothing is waiting to be sent now.
func (q QueueStats) Idle() bool {
	return q.OpenFanouts == 0 && q.Chunks == 0 && q.Retries == 0 && q.Mail == 0 && q.DigestJobs == 0
}

// NormalizeAddress lower-cases an address for comparison and uniqueness.
func NormalizeAddress(a string) string { return strings.ToLower(strings.TrimSpace(a)) }
