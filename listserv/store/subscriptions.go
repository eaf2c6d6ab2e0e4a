package store

import (
	"context"
	"errors"
	"time"
)

// ErrThrottled: a confirmation or request was refused because too many
// were made recently for the same address, list or client.
var ErrThrottled = errors.New("throttled")

// Subscriptions is what joining, leaving and preferences keep: people,
// preferences, consent evidence, confirmation tokens, the directory.
// The members table stays the roster (fan-out reads it); everything else
// lives in tables of its own, so the roster's hot path never changes.
type Subscriptions interface {
	// GetPerson returns the profile of an address; ErrNotFound when the
	// person never saved one (callers then use DefaultPerson).
	GetPerson(ctx context.Context, address string) (*Person, error)
	// SavePerson creates or replaces the profile, and copies the display
	// name onto the address's memberships.
	SavePerson(ctx context.Context, p *Person) error
	// Directory pages through opted-in organisations by name (keyset:
	// after is the last row of the previous page, nil for the first).
	Directory(ctx context.Context, f DirectoryFilter, after *Person, limit int) ([]*Person, error)

	// GetListAccess returns a list's joining rules (defaults when unset).
	GetListAccess(ctx context.Context, listID int64) (*ListAccess, error)
	// SetListAccess stores them and audits the change as by.
	SetListAccess(ctx context.Context, a *ListAccess, by string) error
	// ListSummaries returns the access rules, member count and archived
	// posts since the given time of one list (listID) or of every list
	// (listID 0), counted with indexes.
	ListSummaries(ctx context.Context, listID int64, since time.Time) ([]*ListSummary, error)

	// JoinList adds a member and its consent evidence in one transaction;
	// ErrExists (and the member) when the address is already on the list.
	JoinList(ctx context.Context, listID int64, m NewMember, c *Consent) (*Member, error)
	// LeaveList removes a membership and records why, in one transaction.
	LeaveList(ctx context.Context, memberID int64, c *Consent) (*Member, error)
	// GetMemberPrefs returns a member's preferences (defaults when unset).
	GetMemberPrefs(ctx context.Context, memberID int64) (*MemberPrefs, error)
	// SetDelivery sets members.mode and the member's preferences together.
	SetDelivery(ctx context.Context, memberID int64, mode string, p *MemberPrefs) error
	// ResumeNoMail ends holidays whose "until" date has passed.
	ResumeNoMail(ctx context.Context, now time.Time) (int, error)

	// CreateSubToken stores a confirmation token unless lim says the
	// address had enough already (ErrThrottled). Counting and inserting
	// are serialised, so concurrent requests cannot both slip through.
	CreateSubToken(ctx context.Context, t *SubToken, lim TokenLimits) error
	// Invite stores invitations to one list and the audit row that
	// records them in one transaction. An invitation to an address already
	// on the list, or one lim refuses, is skipped whole; sent counts the
	// rest and a.Detail becomes "N of M invited".
	Invite(ctx context.Context, listID int64, invs []*Invitation, lim TokenLimits, a *Audit) (sent int, err error)
	// GetSubToken returns a token in any state (used, expired) so a page
	// can say which list it was for; ErrNotFound when unknown.
	GetSubToken(ctx context.Context, hash string) (*SubToken, error)
	// ConsumeSubToken uses a live token exactly once; ErrNotFound otherwise.
	ConsumeSubToken(ctx context.Context, hash string, now time.Time) (*SubToken, error)
	// Throttle records a hit on key and reports whether it was within
	// limit hits per window; a refused hit is not recorded.
	Throttle(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error)
	// ApprovedSubscriptions returns held subscription requests approved
	// since the given time that have no "approved" consent evidence yet
	// (the welcome job records it after sending the welcome).
	ApprovedSubscriptions(ctx context.Context, since time.Time) ([]*Held, error)
	// PruneSubscriptions drops throttle hits and tokens older than before.
	PruneSubscriptions(ctx context.Context, before time.Time) (int64, error)

	AddConsent(ctx context.Context, c *Consent) error
	// ListConsent returns an address's consent evidence, oldest first.
	ListConsent(ctx context.Context, address string) ([]*Consent, error)
	// PostsBy pages through the messages an address sent (ids above after).
	PostsBy(ctx context.Context, address string, after int64, limit int) ([]*PostMeta, error)
	// AnonymisePost replaces an erased author's stored message and fields.
	AnonymisePost(ctx context.Context, messageID int64, raw []byte, name string) error
	// EraseAddress removes the address from every list and deletes its
	// profile, preferences, consent, tokens and sessions in one transaction.
	EraseAddress(ctx context.Context, address string) (lists int, err error)
	// ChangeAddress moves memberships, profile, consent, sessions and the
	// authorship of posts (from_addr) to a new address; memberships the new
	// address already has are kept.
	ChangeAddress(ctx context.Context, from, to string) error
}

// Person is what one address tells about itself.
type Person struct {
	ID          int64
	Address     string
	Name        string
	OrgName     string
	OrgWebsite  string
	OrgRegion   string
	OrgFocus    string
	InDirectory bool
	Format      string // html or plain
	Newsletter  bool
	Sections    []string // events, research, asks, offers
	Created     time.Time
	Updated     time.Time
}

// DefaultPerson is the profile of someone who never saved one.
func DefaultPerson(address string) *Person {
	return &Person{Address: NormalizeAddress(address), Format: FormatHTML}
}

// Mail formats.
const (
	FormatHTML  = "html"
	FormatPlain = "plain"
)

// DirectoryFilter narrows the directory; empty fields match everything.
type DirectoryFilter struct {
	Region string
	Focus  string
}

// List visibility and joining rules.
const (
	VisibilityPublic = "public" // shown on the home page and offered on /me
	VisibilityHidden = "hidden" // reachable only by its address

	JoinConfirm  = "confirm"  // double opt-in
	JoinApproval = "approval" // double opt-in, then an owner approves
	JoinInvite   = "invite"   // owners invite; the invitee confirms

	ErasureAnonymise = "anonymise" // an erased author's posts show "former member"
	ErasureKeep      = "keep"      // posts stay as they were sent
)

// ListAccess is how people find and join a list.
type ListAccess struct {
	ListID     int64
	Visibility string
	Join       string
	Erasure    string
}

// DefaultListAccess is what a list without settings has.
func DefaultListAccess(listID int64) *ListAccess {
	return &ListAccess{ListID: listID, Visibility: VisibilityPublic, Join: JoinConfirm, Erasure: ErasureAnonymise}
}

// ListSummary is a list with the numbers its public page shows.
type ListSummary struct {
	List        *List
	Access      ListAccess
	Members     int64
	RecentPosts int64
	LastPost    time.Time
}

// Digest periods.
const (
	DigestDaily  = "daily"
	DigestWeekly = "weekly"
)

// MemberPrefs are one membership's delivery preferences beyond members.mode.
type MemberPrefs struct {
	MemberID    int64
	Digest      string    // daily or weekly, used when the mode is digest
	NoMailUntil time.Time // zero: no end date (used when the mode is nomail)
	ResumeMode  string    // the mode to go back to when NoMailUntil passes
	OwnPosts    bool      // receive copies of one's own posts
}

// DefaultMemberPrefs are the preferences of a member who never set any.
func DefaultMemberPrefs(memberID int64) *MemberPrefs {
	return &MemberPrefs{MemberID: memberID, Digest: DigestDaily, ResumeMode: ModeEach, OwnPosts: true}
}

// Consent is one piece of evidence: who asked for what, how and from where.
type Consent struct {
	ID          int64
	Address     string
	ListID      int64
	ListAddress string
	Action      string // requested, confirmed, invited, approved, joined, left, address-changed
	How         string // web, email, import, operator, invite, one-click
	Origin      string // client IP, or the address mail came from
	Detail      string
	At          time.Time
}

// Sub-token kinds.
const (
	TokenJoin    = "join"    // confirm a subscription request
	TokenInvite  = "invite"  // accept an owner's invitation
	TokenAddress = "address" // verify a new address
	TokenLeave   = "leave"   // confirm leaving a list (asked by mail)
)

// SubToken is a single-use confirmation token, stored only as a hash.
type SubToken struct {
	Hash    string
	Kind    string
	Address string
	ListID  int64  // 0 for address changes
	Data    string // kind-specific JSON
	Created time.Time
	Expires time.Time
	Used    time.Time
}

// Invitation is one invitation: the token it carries, the consent
// evidence of it and the mail that delivers it.
type Invitation struct {
	Token   *SubToken
	Consent *Consent
	Mail    *QueuedMail
}

// TokenLimits bound how many tokens one address gets: PerList for the
// same list (and kind) within ListWindow, PerAddress in all within
// AddressWindow. Zero limits are not checked.
type TokenLimits struct {
	PerList       int
	ListWindow    time.Duration
	PerAddress    int
	AddressWindow time.Duration
}

// PostMeta is what the data export tells about one message a person sent.
type PostMeta struct {
	ID        int64
	ListID    int64
	Subject   string
	MessageID string
	State     string
	Received  time.Time
}
