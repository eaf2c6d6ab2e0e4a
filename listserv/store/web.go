package store

import (
	"context"
	"time"
)

// Web is what the web UI keeps: login tokens, sessions and the audit log.
// Tokens and session ids are stored only as hashes (token.Hash).
type Web interface {
	// CreateToken stores a single-use token hash for address.
	CreateToken(ctx context.Context, t *Token) error
	// ConsumeToken marks a valid, unused, unexpired token used and returns
	// it; ErrNotFound when it is unknown, used or expired. Exactly one of
	// several concurrent consumers succeeds.
	ConsumeToken(ctx context.Context, hash, purpose string, now time.Time) (*Token, error)
	// PeekToken returns a token without using it (for the page a GET shows).
	PeekToken(ctx context.Context, hash, purpose string, now time.Time) (*Token, error)
	// CountTokens counts tokens of a purpose made for address since t.
	CountTokens(ctx context.Context, address, purpose string, since time.Time) (int, error)
	CreateSession(ctx context.Context, hash, address string, expires time.Time) error
	// RedeemLogin consumes a live login token and creates a session for
	// its address in one transaction, so a failure cannot use up the
	// token without signing anyone in. ErrNotFound as ConsumeToken.
	RedeemLogin(ctx context.Context, tokenHash, sessionHash string, now, expires time.Time) (*Token, error)
	GetSession(ctx context.Context, hash string, now time.Time) (address string, err error)
	DeleteSession(ctx context.Context, hash string) error
	// Memberships lists every subscription of an address, on every list.
	Memberships(ctx context.Context, address string) ([]*Member, error)
	AddAudit(ctx context.Context, a *Audit) error
	// ListAudit pages a list's audit log newest first (ids below before).
	ListAudit(ctx context.Context, listID, before int64, limit int) ([]*Audit, error)
}

// Token is a single-use token for a purpose (login, confirm, ...).
type Token struct {
	Hash    string
	Address string
	Purpose string
	Data    string // purpose-specific, e.g. a list id
	Created time.Time
	Expires time.Time
	Used    time.Time
}

// Audit is one recorded action.
type Audit struct {
	ID     int64
	At     time.Time
	Actor  string // the address (or cli:user) that acted
	Action string // approve, reject, discard, ...
	ListID int64
	Target string // e.g. held:42
	Detail string
}
