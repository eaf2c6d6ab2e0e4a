// Package signin is how a person signs in, whoever asks for the link: the
// web form (RequestLink), an operator's `listserv login-link` (IssueLink).
// Links are single-use and short-lived, and a GET never uses one (mail
// scanners open every link); Redeem uses the token and opens the session
// in one store transaction.
package signin

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Login links are valid 15 minutes and used once; at most PerWindow are
// mailed to one address per Window, so the form cannot mail-bomb anyone.
// Sessions last SessionTTL.
const (
	LinkTTL    = 15 * time.Minute
	PerWindow  = 3
	Window     = time.Hour
	SessionTTL = 30 * 24 * time.Hour
)

const purpose = "login"

var (
	// ErrNotSent: no link was mailed (unknown address, or PerWindow
	// reached). The form answers the same either way.
	ErrNotSent = errors.New("no sign-in link sent")
	// ErrInvalid: the link is unknown, used or expired.
	ErrInvalid = errors.New("sign-in link unknown, used or expired")
)

// Store is what signing in keeps (store.Store implements it).
type Store interface {
	Memberships(ctx context.Context, address string) ([]*store.Member, error)
	CountTokens(ctx context.Context, address, purpose string, since time.Time) (int, error)
	CreateToken(ctx context.Context, t *store.Token) error
	EnqueueMail(ctx context.Context, m *store.QueuedMail) error
	PeekToken(ctx context.Context, hash, purpose string, now time.Time) (*store.Token, error)
	RedeemLogin(ctx context.Context, tokenHash, sessionHash string, now, expires time.Time) (*store.Token, error)
	GetSession(ctx context.Context, hash string, now time.Time) (string, error)
	DeleteSession(ctx context.Context, hash string) error
}

// Options: BaseURL is the public site the links point to; SiteAddress
// sends the mail.
type Options struct {
	BaseURL     string
	SiteAddress string
}

// Engine signs people in and out.
type Engine struct {
	st  Store
	opt Options
	log *slog.Logger
	// Now is the clock (tests move it).
	Now func() time.Time
}

// New returns an engine over st.
func New(st Store, log *slog.Logger, opt Options) *Engine {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	return &Engine{st: st, opt: opt, log: log, Now: time.Now}
}
