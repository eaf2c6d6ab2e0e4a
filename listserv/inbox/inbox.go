// Package inbox works the administrative mail the pipeline stored (mail to
// LIST-request@, -join@, -leave@, -confirm+TOKEN@, -moderate+TOKEN@,
// -bounces@): it leases items so several nodes can share them, and hands
// each to the handler registered for its kind.
//
// A handler's error says what becomes of the item: nil, done; ErrKeep,
// kept for a later engine; ErrPermanent (errors.Is), failed for good with
// the reason logged and kept as the note; any other error is taken as
// temporary (database busy, lease lost, deadline) and the item is tried
// again with exponential backoff, up to MaxAttempts, then failed.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Handler processes one item of its kind (see the package comment for
// what its error means). Handlers must not answer auto-replies, and should
// be safe to run again after a temporary failure.
type Handler func(ctx context.Context, it *store.InboxItem, l *store.List) error

// ErrKeep marks an item kept for an engine that does not exist yet.
var ErrKeep = errors.New("kept for later processing")

// ErrPermanent marks a failure another attempt cannot fix (unreadable
// mail, a request ignored on purpose); wrap it with Permanent.
var ErrPermanent = errors.New("permanent failure")

type permanent struct{ err error }

func (p permanent) Error() string   { return p.err.Error() }
func (p permanent) Unwrap() []error { return []error{p.err, ErrPermanent} }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// Defaults for retries.
const (
	DefaultRetryBase   = 30 * time.Second
	DefaultRetryMax    = time.Hour
	DefaultMaxAttempts = 10
)

// Processor dispatches inbox items by kind.
type Processor struct {
	st       Store
	log      *slog.Logger
	node     string
	handlers map[string]Handler
	wake     chan struct{}
	Poll     time.Duration
	// RetryBase is the wait after the first temporary failure, doubled
	// each time up to RetryMax; MaxAttempts temporary failures fail it.
	RetryBase, RetryMax time.Duration
	MaxAttempts         int
}

// New returns a processor with no handlers.
func New(st Store, node string, log *slog.Logger) *Processor {
	return &Processor{st: st, log: log, node: node, handlers: map[string]Handler{},
		wake: make(chan struct{}, 1), Poll: time.Second,
		RetryBase: DefaultRetryBase, RetryMax: DefaultRetryMax, MaxAttempts: DefaultMaxAttempts}
}

// Handle registers h for kind; call before Run.
func (p *Processor) Handle(kind string, h Handler) { p.handlers[kind] = h }

// Wake asks for an immediate look at the inbox.
func (p *Processor) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run works the inbox until ctx ends.
func (p *Processor) Run(ctx context.Context) {
	t := time.NewTicker(p.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		n := p.once(ctx)
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
		case <-t.C:
		}
	}
}

func (p *Processor) once(ctx context.Context) int {
	items, err := p.st.ClaimInbox(ctx, p.node, time.Minute, 20)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Error("claim inbox", "err", err)
		}
		return 0
	}
	for _, it := range items {
		p.process(ctx, it)
	}
	return len(items)
}

func (p *Processor) process(ctx context.Context, it *store.InboxItem) {
	err := p.handle(ctx, it)
	// The outcome is recorded even when ctx ended meanwhile.
	ctx = context.WithoutCancel(ctx)
	log := p.log.With("id", it.ID, "kind", it.Kind, "from", it.EnvelopeFrom)
	var ferr error
	switch {
	case err == nil:
		log.Info("inbox item done")
		ferr = p.st.FinishInbox(ctx, it, store.InboxDone, "")
	case errors.Is(err, ErrKeep):
		ferr = p.st.FinishInbox(ctx, it, store.InboxKept, "")
	case errors.Is(err, ErrPermanent):
		log.Warn("inbox item failed", "reason", err)
		ferr = p.st.FinishInbox(ctx, it, store.InboxFailed, err.Error())
	case it.Attempts+1 >= p.MaxAttempts:
		log.Error("inbox item failed: gave up", "attempts", it.Attempts+1, "reason", err)
		ferr = p.st.FinishInbox(ctx, it, store.InboxFailed, fmt.Sprintf("gave up after %d attempts: %v", it.Attempts+1, err))
	default:
		next := time.Now().Add(p.backoff(it.Attempts))
		log.Warn("inbox item will be retried", "attempt", it.Attempts+1, "next", next, "err", err)
		ferr = p.st.RetryInbox(ctx, it, next, err.Error())
	}
	if ferr != nil {
		log.Error("record inbox outcome", "err", ferr)
	}
}

// handle runs the item's handler; a list that no longer exists is a
// permanent failure, any other store error a temporary one.
func (p *Processor) handle(ctx context.Context, it *store.InboxItem) error {
	h, ok := p.handlers[it.Kind]
	if !ok {
		return ErrKeep
	}
	l, err := p.st.GetListByID(ctx, it.ListID)
	if errors.Is(err, store.ErrNotFound) {
		return Permanent(fmt.Errorf("list %d no longer exists", it.ListID))
	}
	if err != nil {
		return err
	}
	return h(ctx, it, l)
}

// backoff is the wait after the attempts-th earlier failure.
func (p *Processor) backoff(attempts int) time.Duration {
	d := p.RetryBase
	for range attempts {
		if d >= p.RetryMax {
			break
		}
		d *= 2
	}
	return min(d, p.RetryMax)
}
