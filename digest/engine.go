package digest

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// Store is what the digest engine needs; the server passes the concrete
// store (as listmonk's manager.Store is implemented by its app).
type Store interface {
	GetList(ctx context.Context, address string) (*store.List, error)
	GetListByID(ctx context.Context, id int64) (*store.List, error)
	GetMember(ctx context.Context, listID int64, address string) (*store.Member, error)
	GetDigestState(ctx context.Context, memberID int64) (*store.DigestState, error)
	ClaimDigests(ctx context.Context, owner string, lease time.Duration, now time.Time, limit int) ([]*store.DigestState, error)
	NextDigestDue(ctx context.Context) (time.Time, bool, error)
	CommitDigests(ctx context.Context, cs []store.DigestCommit) (lost []int, err error)
	DigestPosts(ctx context.Context, listID, after, upto int64, limit int) ([]*store.Message, error)
	LastUID(ctx context.Context, listID int64) (int64, error)
	MakeDigestsDue(ctx context.Context, listID int64, at time.Time) (int64, error)
	GetListDigest(ctx context.Context, listID int64) (*store.ListDigest, error)
	SweepMailBodies(ctx context.Context, before time.Time) (int64, error)
}

// Config tunes the engine; zero values are the defaults.
type Config struct {
	Node     string
	BaseURL  string
	Lease    time.Duration    // a claim's lease (default 2 minutes)
	Poll     time.Duration    // longest sleep when nothing is due sooner (default 30 s)
	Batch    int              // members claimed at once (default 1,000)
	MaxPosts int              // posts per part (default 40), unless the list sets its own
	MaxBytes int64            // stored bytes per part (default 1 MB), unless the list sets its own
	MaxRun   int              // posts one claim sends at most; the rest follows at once (default 400)
	Now      func() time.Time // the clock (tests simulate days)
}

func (c *Config) defaults() {
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = 30 * time.Second
	}
	if c.Batch <= 0 {
		// A claim and its commit cost a statement or two whatever their
		// size: 1,000 members queued 10,000 digests in 64 % of the time
		// 200 took (SQLite; 78 % on PostgreSQL). Delivery still gets
		// parts of at most 200 members (the store splits them).
		c.Batch = 1000
	}
	if c.MaxPosts <= 0 {
		c.MaxPosts = DefaultMaxPosts
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.MaxRun <= 0 {
		c.MaxRun = 10 * c.MaxPosts
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Node == "" {
		c.Node = "digest"
	}
}

// Engine sends due digests.
type Engine struct {
	st     Store
	tokens *token.Maker
	cfg    Config
	log    *slog.Logger
	wake   chan struct{}
	queued atomic.Int64 // digest mails queued, for SendDue's count
	// Ranges of posts and their renderings, shared by consecutive claims.
	postsCache  *ttlCache[[]*store.Message]
	renderCache *ttlCache[[]*Rendered]
	// Queued, when set, is called after digest mail was queued (the
	// server wakes the delivery engine with it).
	Queued func()
}

// New returns an engine; Run starts it.
func New(st Store, tokens *token.Maker, cfg Config, log *slog.Logger) *Engine {
	cfg.defaults()
	return &Engine{st: st, tokens: tokens, cfg: cfg, log: log, wake: make(chan struct{}, 1),
		postsCache: newTTLCache[[]*store.Message](), renderCache: newTTLCache[[]*Rendered]()}
}

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.cfg.Now() }

// Wake makes Run look for due digests now (a schedule changed, a test
// moved the clock).
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run sends digests as they fall due until ctx ends. It sleeps until the
// earliest due time, a wake-up, or the poll interval (for work other
// nodes scheduled), so a server at rest does almost nothing.
func (e *Engine) Run(ctx context.Context) {
	var swept time.Time
	for ctx.Err() == nil {
		n, err := e.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Warn("digests", "err", err)
		}
		if time.Since(swept) > sweepEvery {
			swept = time.Now()
			e.sweep(ctx)
		}
		if n >= e.cfg.Batch && err == nil {
			continue // more may be due
		}
		t := time.NewTimer(e.sleep(ctx, n))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-e.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Shared digest bodies no queued mail uses any more are deleted once
// they are an hour old (a body is reused by content, which refreshes its
// age), looked for every ten minutes.
const (
	sweepEvery = 10 * time.Minute
	sweepAge   = time.Hour
)

func (e *Engine) sweep(ctx context.Context) {
	n, err := e.st.SweepMailBodies(ctx, time.Now().Add(-sweepAge))
	switch {
	case err != nil && ctx.Err() == nil:
		e.log.Warn("sweep digest bodies", "err", err)
	case n > 0:
		e.log.Info("swept digest bodies", "bodies", n)
	}
}

// sleep is how long to wait: until the earliest due time, at most Poll;
// a second when that time has passed but nothing could be claimed (its
// lease belongs to another node).
func (e *Engine) sleep(ctx context.Context, claimed int) time.Duration {
	due, ok, err := e.st.NextDigestDue(ctx)
	if err != nil || !ok {
		return e.cfg.Poll
	}
	d := due.Sub(e.Now())
	switch {
	case d <= 0 && claimed == 0:
		return min(time.Second, e.cfg.Poll)
	case d <= 0:
		return 0
	case d < e.cfg.Poll:
		return d
	}
	return e.cfg.Poll
}

// RunOnce claims the members due now and sends their digests; it
// returns how many members it claimed.
func (e *Engine) RunOnce(ctx context.Context) (int, error) {
	now := e.Now()
	ds, err := e.st.ClaimDigests(ctx, e.cfg.Node, e.cfg.Lease, now, e.cfg.Batch)
	if err != nil {
		return 0, err
	}
	b := e.newBatch()
	var errs []error
	cs := make([]store.DigestCommit, 0, len(ds))
	for _, d := range ds {
		c, err := e.plan(ctx, b, d, now)
		if err != nil {
			errs = append(errs, err) // the lease runs out and the member is retried
			continue
		}
		cs = append(cs, *c)
	}
	if err := e.commit(ctx, cs); err != nil {
		errs = append(errs, err)
	}
	return len(ds), errors.Join(errs...)
}

// commit stores the batch's outcomes in one transaction and wakes
// delivery when mail was queued.
func (e *Engine) commit(ctx context.Context, cs []store.DigestCommit) error {
	if len(cs) == 0 {
		return nil
	}
	lost, err := e.st.CommitDigests(ctx, cs)
	if err != nil {
		return err
	}
	for _, i := range lost {
		e.log.Info("digest claim lost; retried later", "member", cs[i].State.MemberID)
		cs[i].Outcome.Parts = nil
	}
	var queued int64
	for _, c := range cs {
		queued += int64(len(c.Outcome.Parts))
	}
	e.queued.Add(queued)
	if queued > 0 {
		e.log.Info("digests queued", "members", len(cs)-len(lost), "mails", queued)
		if e.Queued != nil {
			e.Queued()
		}
	}
	return nil
}

// SendNow makes every pending digest of the list due now and sends them
// (`listserv digest send --now`); it returns how many digest mails were
// queued. Cursors move, so the next scheduled digest holds only newer
// posts, and a second call sends nothing new.
func (e *Engine) SendNow(ctx context.Context, l *store.List) (int, error) {
	if _, err := e.st.MakeDigestsDue(ctx, l.ID, e.Now()); err != nil {
		return 0, err
	}
	return e.SendDue(ctx)
}

// SendDue sends what is due now, claim after claim, until nothing is.
func (e *Engine) SendDue(ctx context.Context) (int, error) {
	before := e.queued.Load()
	for {
		n, err := e.RunOnce(ctx)
		if err != nil {
			return int(e.queued.Load() - before), err
		}
		if n == 0 {
			return int(e.queued.Load() - before), nil
		}
	}
}
