// Package subscribe is the subscription engine: joining (always double
// opt-in, optionally followed by owner approval, or by invitation),
// leaving, email commands to LIST-request@, delivery preferences, profiles,
// changing address, and a person's data (export and erasure).
//
// Implementation notes:
//   - Nothing happens without proof of the mailbox: a confirmation token
//     mailed to the address (link or reply to LIST-confirm+TOKEN@), or a
//     session from an emailed sign-in link. A GET never changes anything.
//   - Tokens are single use, stored hashed (sub_tokens), and expire after
//     Options.TokenTTL (7 days). One address gets at most one confirmation
//     per list per hour and five a day in all, however often a form is
//     posted; one client IP makes at most IPLimit requests an hour.
//   - Every join, leave and invitation leaves consent evidence: when, how
//     (web, email, import, invite, one-click) and from where (IP or sender).
//   - The engine never answers automatic mail (RFC 3834), so it cannot be
//     made to loop with a vacation responder or confirm by one.
package subscribe

import (
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// Options configure an Engine; zero values take the defaults.
type Options struct {
	BaseURL     string // public web URL, for links in mail
	SiteAddress string // sender of mail that belongs to no list
	TokenTTL    time.Duration
	Limits      store.TokenLimits
	IPLimit     int // join requests per client IP per IPWindow
	IPWindow    time.Duration
}

// Defaults.
const (
	DefaultTokenTTL = 7 * 24 * time.Hour
	DefaultIPLimit  = 20
)

// DefaultLimits: one confirmation per list per hour, five a day in all.
var DefaultLimits = store.TokenLimits{PerList: 1, ListWindow: time.Hour, PerAddress: 5, AddressWindow: 24 * time.Hour}

// Engine does the work for the web pages, the inbox handlers and the CLI.
type Engine struct {
	st     Store
	tokens *token.Maker
	log    *slog.Logger
	opt    Options
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// New returns an engine.
func New(st Store, tokens *token.Maker, log *slog.Logger, opt Options) *Engine {
	if opt.TokenTTL <= 0 {
		opt.TokenTTL = DefaultTokenTTL
	}
	if opt.Limits == (store.TokenLimits{}) {
		opt.Limits = DefaultLimits
	}
	if opt.IPLimit <= 0 {
		opt.IPLimit = DefaultIPLimit
	}
	if opt.IPWindow <= 0 {
		opt.IPWindow = time.Hour
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{st: st, tokens: tokens, log: log, opt: opt, Now: time.Now}
}

// BaseURL is the public web URL without a trailing slash.
func (e *Engine) BaseURL() string { return e.opt.BaseURL }

// TokenTTL is how long confirmation links work.
func (e *Engine) TokenTTL() time.Duration { return e.opt.TokenTTL }

// Errors the pages turn into friendly answers.
var (
	// ErrInviteOnly: the list takes new members by invitation only.
	ErrInviteOnly = errors.New("this list is by invitation only")
	// ErrTokenInvalid: the link or reply token is unknown, used or expired.
	ErrTokenInvalid = errors.New("confirmation link expired or already used")
	// ErrTooMany: the client made too many requests (per-IP throttle).
	ErrTooMany = errors.New("too many requests")
	// ErrNotMember: a command or page needs a membership the address lacks.
	ErrNotMember = errors.New("not a member of this list")
)

// ListTitle is what pages and mail call a list.
func ListTitle(l *store.List) string {
	if l.Name != "" {
		return l.Name
	}
	return l.Address
}

// ListURL is the public page of a list.
func (e *Engine) ListURL(l *store.List) string { return e.opt.BaseURL + "/lists/" + l.ListID() }

// UnsubscribeURL is a member's one-click link (the same as in every copy).
func (e *Engine) UnsubscribeURL(m *store.Member) string {
	return e.opt.BaseURL + "/u/" + e.tokens.Unsubscribe(m.ID)
}
