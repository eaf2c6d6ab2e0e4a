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
