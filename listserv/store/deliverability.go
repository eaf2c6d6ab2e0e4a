package store

import (
	"context"
	"time"
)

// Deliverability keeps what makes a list's mail arrive: DKIM keys per
// domain and each list's DMARC mitigation and bounce-removal settings.
type Deliverability interface {
	// PutDKIMKey stores a new key; ErrExists when the domain already has
	// that selector.
	PutDKIMKey(ctx context.Context, k *DKIMKey) error
	// DKIMKeys are a domain's keys, newest first (none: empty, no error).
	DKIMKeys(ctx context.Context, domain string) ([]*DKIMKey, error)
	// ListDeliverability is a list's settings, the defaults when never set.
	ListDeliverability(ctx context.Context, listID int64) (*ListDeliverability, error)
	SetListDeliverability(ctx context.Context, d *ListDeliverability) error

	// StartBounceWarnings schedules the re-warnings of a member whose
	// delivery bounces disabled: the first at next (again from zero when
	// already scheduled).
	StartBounceWarnings(ctx context.Context, memberID, listID int64, next time.Time) error
	// DueBounceWarnings are the scheduled re-warnings due at now, oldest
	// first, at most limit.
	DueBounceWarnings(ctx context.Context, now time.Time, limit int) ([]*BounceWarning, error)
	// SetBounceWarning records warnings sent and when the next step is due.
	SetBounceWarning(ctx context.Context, memberID int64, warnings int, next time.Time) error
	// EndBounceWarnings stops a member's re-warnings.
	EndBounceWarnings(ctx context.Context, memberID int64) error
}

// BounceWarning is a member disabled by bounces, between warnings.
type BounceWarning struct {
	MemberID int64
	ListID   int64
	Warnings int // re-warnings sent so far
	NextAt   time.Time
}

// DKIMKey is one signing key of a domain, its private key in PKCS #8 PEM.
type DKIMKey struct {
	Domain     string
	Selector   string
	Algorithm  string // rsa or ed25519
	PrivatePEM []byte
	Created    time.Time
}

// DMARC mitigation actions (Mailman's): munge rewrites From to the list
// ("Ann via Team" <team@...>) with the author in Reply-To; wrap sends the
// post as an attachment of a message from the list; none sends it as is.
const (
	DMARCMunge = "munge"
	DMARCWrap  = "wrap"
	DMARCNone  = "none"
)

// ListDeliverability are a list's deliverability settings.
type ListDeliverability struct {
	ListID int64
	// DMARCAction applies to posts whose author's domain publishes
	// p=reject or p=quarantine (or every post when DMARCAlways).
	DMARCAction string
	DMARCAlways bool
	// RemoveAfterWarnings: a member disabled by bounces who is still
	// disabled after the two weekly re-warnings is removed.
	RemoveAfterWarnings bool
}

// DefaultDeliverability is what a list has until set.
func DefaultDeliverability(listID int64) *ListDeliverability {
	return &ListDeliverability{ListID: listID, DMARCAction: DMARCMunge}
}
