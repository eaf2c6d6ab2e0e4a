package newsletter

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// Store is what the newsletter engine needs (sqldb.DB implements it).
type Store interface {
	ItemReader
	GetList(ctx context.Context, address string) (*store.List, error)
	GetListByID(ctx context.Context, id int64) (*store.List, error)
	AllLists(ctx context.Context) ([]*store.List, error)
	GetMember(ctx context.Context, listID int64, address string) (*store.Member, error)
	GetPerson(ctx context.Context, address string) (*store.Person, error)
	SetNewsletter(ctx context.Context, n *store.Newsletter) error
	GetNewsletter(ctx context.Context, listID int64) (*store.Newsletter, error)
	NextNewsletterDue(ctx context.Context) (time.Time, bool, error)
	NewsletterSubscribers(ctx context.Context, listID, after int64, limit int) ([]*store.Subscriber, error)
	CreateIssue(ctx context.Context, is *store.NewsletterIssue, nextDue time.Time) (*store.NewsletterIssue, error)
	SendingIssue(ctx context.Context, listID int64) (*store.NewsletterIssue, error)
	GetIssue(ctx context.Context, listID int64, number int) (*store.NewsletterIssue, error)
	QueueIssue(ctx context.Context, issueID, from, upto int64, ms []*store.QueuedMail) error
	FinishIssue(ctx context.Context, issueID int64, at time.Time) error
	ExpireItems(ctx context.Context, now time.Time) (int64, error)
	EnqueueMail(ctx context.Context, m *store.QueuedMail) error
	SubmitStore
	OpenStore
}

// SubmitStore is what submissions need beyond reading items.
type SubmitStore interface {
	HoldItem(ctx context.Context, it *store.Item, reason, onceKey string, ack *store.QueuedMail) (*store.Held, error)
	EditHeldItem(ctx context.Context, heldID int64, it *store.Item, by string) error
	EnqueueOnce(ctx context.Context, key string, mails ...*store.QueuedMail) (bool, error)
	Setting(ctx context.Context, key string) (string, error)
}

// Config tunes the engine; zero values are the defaults.
type Config struct {
	BaseURL string
	Batch   int              // subscribers queued per transaction (default 200)
	Poll    time.Duration    // longest sleep (default 1 minute)
	Now     func() time.Time // the clock (tests fix it)
}

// Engine compiles and sends issues.
type Engine struct {
	st     Store
	tokens *token.Maker
	cfg    Config
	log    *slog.Logger
	wake   chan struct{}
	// matchedUpTo: asks and offers approved before it were matched
	// (guarded by matchMu: tests and `digest send` run rounds too).
	matchMu     sync.Mutex
	matchedUpTo time.Time
	// Queued, when set, is called after copies were queued (the server
	// wakes the delivery engine with it).
	Queued func()
	// BeforeBatch, when set, runs before each batch is queued (tests stop
	// a send half-way with it).
	BeforeBatch func(is *store.NewsletterIssue) error
}

// New returns an engine; Run sends on schedule.
func New(st Store, tokens *token.Maker, cfg Config, log *slog.Logger) *Engine {
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Engine{st: st, tokens: tokens, cfg: cfg, log: log, wake: make(chan struct{}, 1)}
}

// ErrNothing: the newsletter has nothing to send (no items, no
// introduction).
var ErrNothing = errors.New("nothing to send")

// Wake makes Run look again now (an editor sent by hand, a test moved
// the clock).
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run sends issues as they fall due, resumes interrupted ones and
// archives closed asks and offers, until ctx ends. The server runs it on
// the leading node only.
func (e *Engine) Run(ctx context.Context) {
	for ctx.Err() == nil {
		if err := e.RunOnce(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("newsletter", "err", err)
		}
		t := time.NewTimer(e.sleep(ctx))
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

func (e *Engine) sleep(ctx context.Context) time.Duration {
	due, ok, err := e.st.NextNewsletterDue(ctx)
	if err != nil || !ok {
		return e.cfg.Poll
	}
	return min(max(due.Sub(e.cfg.Now()), time.Second), e.cfg.Poll)
}

// RunOnce resumes issues being sent, sends due ones, expires asks and
// offers past their closing date, reminds their posters three days
// before it, and tells the posters of matching asks and offers.
func (e *Engine) RunOnce(ctx context.Context) error {
	now := e.cfg.Now()
	if _, err := e.st.ExpireItems(ctx, now); err != nil {
		return err
	}
	// Reminders and matches failing must not hold up sending issues.
	errs := []error{e.remind(ctx, now), e.match(ctx, now)}
	ls, err := e.st.AllLists(ctx)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, l := range ls {
		if l.Kind != store.KindNewsletter {
			continue
		}
		if _, err := e.sendDue(ctx, l, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sendDue resumes the newsletter's issue being sent, or sends a new one
// when it is due.
func (e *Engine) sendDue(ctx context.Context, l *store.List, now time.Time) (int, error) {
	if is, err := e.st.SendingIssue(ctx, l.ID); err == nil {
		return e.send(ctx, l, is)
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	n, err := e.st.GetNewsletter(ctx, l.ID)
	if err != nil || n.NextDue.IsZero() || n.NextDue.After(now) {
		return 0, err
	}
	_, q, err := e.SendNow(ctx, l)
	if errors.Is(err, ErrNothing) {
		e.log.Info("newsletter: nothing to send; next issue rescheduled", "list", l.Address)
		return 0, nil
	}
	return q, err
}

// SendNow compiles the next issue now and sends it, or resumes the one
// being sent; it returns the issue and how many copies were queued.
// ErrNothing (and the next due time moved on) when there is nothing.
func (e *Engine) SendNow(ctx context.Context, l *store.List) (*store.NewsletterIssue, int, error) {
	if is, err := e.st.SendingIssue(ctx, l.ID); err == nil {
		n, err := e.send(ctx, l, is)
		return is, n, err
	}
	n, err := e.st.GetNewsletter(ctx, l.ID)
	if err != nil {
		return nil, 0, err
	}
	sc := scheduleOf(n)
	now := e.cfg.Now()
	next, err := sc.Next(now)
	if err != nil {
		return nil, 0, err
	}
	c, err := Compile(ctx, e.st, l, n, now, sc.Loc())
	if err != nil {
		return nil, 0, err
	}
	if c.Empty() {
		n.NextDue = next
		return nil, 0, errors.Join(ErrNothing, e.st.SetNewsletter(ctx, n))
	}
	is, err := e.st.CreateIssue(ctx, &store.NewsletterIssue{ListID: l.ID, Intro: c.Intro, ItemIDs: c.IDs(), Date: now}, next)
	if err != nil && !errors.Is(err, store.ErrExists) { // ErrExists: another sender just began; resume it
		return nil, 0, err
	}
	e.log.Info("newsletter issue compiled", "list", l.Address, "number", is.Number, "items", len(is.ItemIDs))
	q, err := e.send(ctx, l, is)
	return is, q, err
}

func scheduleOf(n *store.Newsletter) Schedule {
	sc, err := ParseSchedule(n.Schedule)
	if err != nil {
		sc, _ = ParseSchedule(DefaultSchedule)
	}
	return sc
}

// SetBatch changes how many subscribers' copies are queued per
// transaction (tests use small batches to stop a send half-way).
func (e *Engine) SetBatch(n int) {
	if n > 0 {
		e.cfg.Batch = n
	}
}
