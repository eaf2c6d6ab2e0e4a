package bounce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/inbox"
	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// Defaults for scoring, as Mailman's.
const (
	DefaultWindow    = 7 * 24 * time.Hour
	DefaultThreshold = 5.0
)

// Config tunes the engine; zero values take the defaults.
type Config struct {
	Window    time.Duration // bounces older than this stop counting
	Threshold float64       // score at which delivery is disabled
	BaseURL   string        // for the re-enable link
	Now       func() time.Time
}

// Engine scores bounces sent to LIST-bounces@ and LIST-bounces+TOKEN@,
// disables members past the threshold, and unsubscribes members whose
// provider sends a feedback (spam complaint) report.
type Engine struct {
	st     Store
	tokens *token.Maker
	cfg    Config
	log    *slog.Logger
}

// New returns an engine.
func New(st Store, tokens *token.Maker, cfg Config, log *slog.Logger) *Engine {
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Threshold <= 0 {
		cfg.Threshold = DefaultThreshold
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Engine{st: st, tokens: tokens, cfg: cfg, log: log}
}

// errForged marks a VERP token whose MAC does not check: nobody is scored.
var errForged = errors.New("forged or damaged VERP token: nobody scored")

// HandleBounce is the inbox handler for the bounces kind.
func (e *Engine) HandleBounce(ctx context.Context, it *store.InboxItem, l *store.List) error {
	r := Parse(it.Raw)
	if it.Token != "" {
		return e.verp(ctx, it, l, r)
	}
	return e.plain(ctx, l, r)
}

// verp handles mail to LIST-bounces+TOKEN@: the token alone names the
// member and the post; the report only says what kind of failure it was.
func (e *Engine) verp(ctx context.Context, it *store.InboxItem, l *store.List, r *Result) error {
	memberID, messageID, ok := e.tokens.ParseVERP(it.Token)
	if !ok {
		return inbox.Permanent(errForged)
	}
	m, err := e.st.GetMemberByID(ctx, memberID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.ListID != l.ID) {
		e.log.Info("bounce for a member who has left", "list", l.Address, "member", memberID)
		return nil
	}
	if err != nil {
		return err
	}
	if e.autoReply(it, r) {
		e.log.Info("auto-reply to a VERP address ignored", "list", l.Address, "member", m.ID)
		return nil
	}
	switch r.Kind {
	case Feedback:
		return e.complaint(ctx, l, m, it.EnvelopeFrom)
	case Failed:
		return e.score(ctx, l, m, messageID, classFor(r, m.Address))
	case NotBounce:
		// A VERP address gets nothing but returns; a machine-made message
		// that no detector read is still a failure (Mailman's rule), a
		// person's reply is not.
		if r.Robot {
			return e.score(ctx, l, m, messageID, Permanent)
		}
	}
	return nil
}

// autoReply: a vacation or other automatic answer, which VERP addresses
// get too; never a bounce.
func (e *Engine) autoReply(it *store.InboxItem, r *Result) bool {
	if r.Kind == AutoReply {
		return true
	}
	if r.Kind == Failed || r.Kind == Feedback {
		return false
	}
	h, _, err := mailhdr.Split(it.Raw)
	return err == nil && notice.IsAutoReply(h)
}

// classFor is the class the report gives the member's address, else the
// first failure's (a temporary DSN stays temporary on a VERP address).
func classFor(r *Result, address string) Class {
	for _, x := range r.Recipients {
		if strings.EqualFold(x.Address, address) {
			return x.Class
		}
	}
	return r.Recipients[0].Class
}

// plain handles bounces without a token: the parser names the addresses,
// and only members of this list are scored.
func (e *Engine) plain(ctx context.Context, l *store.List, r *Result) error {
	switch r.Kind {
	case Failed:
		for _, x := range r.Recipients {
			m, err := e.member(ctx, l, x.Address)
			if err != nil || m == nil {
				return err
			}
			if err := e.score(ctx, l, m, 0, x.Class); err != nil {
				return err
			}
		}
	case Feedback:
		addrs := r.OriginalTo
		if len(r.Recipients) > 0 {
			addrs = nil
			for _, x := range r.Recipients {
				addrs = append(addrs, x.Address)
			}
		}
		for _, a := range addrs {
			m, err := e.member(ctx, l, a)
			if err != nil {
				return err
			}
			if m != nil {
				if err := e.complaint(ctx, l, m, "feedback report"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// member finds address on l; nil when it is not a member.
func (e *Engine) member(ctx context.Context, l *store.List, address string) (*store.Member, error) {
	m, err := e.st.GetMember(ctx, l.ID, address)
	if errors.Is(err, store.ErrNotFound) {
		e.log.Info("bounce for an address that is not a member", "list", l.Address)
		return nil, nil
	}
	return m, err
}

// score records one bounce and, when it disables delivery, tells the
// member and the owners.
func (e *Engine) score(ctx context.Context, l *store.List, m *store.Member, messageID int64, c Class) error {
	o, err := e.st.RecordBounce(ctx, store.BounceEvent{MemberID: m.ID, MessageID: messageID, Permanent: c != Temporary,
		At: e.cfg.Now(), Window: e.cfg.Window, Threshold: e.cfg.Threshold})
	if errors.Is(err, store.ErrNotFound) {
		return nil // left meanwhile
	}
	if err != nil {
		return err
	}
	e.log.Info("bounce", "list", l.Address, "member", m.ID, "class", c, "counted", o.Counted, "score", o.Member.BounceScore)
	if !o.Disabled {
		return nil
	}
	e.log.Warn("delivery disabled by bounces", "list", l.Address, "member", m.ID, "score", o.Member.BounceScore)
	return e.notifyDisabled(ctx, l, o.Member)
}

// complaint unsubscribes a member whose provider reported our mail as
// spam, keeping the evidence like every other way of leaving; no goodbye
// mail (they said they do not want our mail).
func (e *Engine) complaint(ctx context.Context, l *store.List, m *store.Member, origin string) error {
	_, err := e.st.LeaveList(ctx, m.ID, &store.Consent{Action: "left", How: "complaint", Origin: origin, At: e.cfg.Now()})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("unsubscribe after complaint: %w", err)
	}
	e.log.Warn("member unsubscribed after a spam complaint", "list", l.Address, "member", m.ID)
	return nil
}

// Enable turns a member's delivery back on (the re-enable link's POST).
func (e *Engine) Enable(ctx context.Context, memberID int64) (*store.Member, error) {
	m, err := e.st.EnableDelivery(ctx, memberID)
	if err == nil {
		e.log.Info("delivery re-enabled", "member", m.ID)
	}
	return m, err
}

// Expire forgets bounces older than the window (run periodically, so a
// score falls even when no new bounce comes).
func (e *Engine) Expire(ctx context.Context) (int, error) {
	return e.st.ExpireBounces(ctx, e.cfg.Now().Add(-e.cfg.Window))
}
