// Package inbox works the administrative mail the pipeline stored (mail to
// LIST-request@, -join@, -leave@, -confirm+TOKEN@, -moderate+TOKEN@,
// -bounces@): it leases items so several nodes can share them, and hands
// each to the handler registered for its kind.
package inbox

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Handler processes one item of its kind. A nil error marks the item done;
// an error marks it failed (with the error as the note), never retried, so
// a poison message cannot loop. Handlers must not answer auto-replies.
type Handler func(ctx context.Context, it *store.InboxItem, l *store.List) error

// ErrKeep marks an item kept for an engine that does not exist yet.
var ErrKeep = errors.New("kept for later processing")

// Processor dispatches inbox items by kind.
type Processor struct {
	st       store.Store
	log      *slog.Logger
	node     string
	handlers map[string]Handler
	wake     chan struct{}
	Poll     time.Duration
}

// New returns a processor with no handlers.
func New(st store.Store, node string, log *slog.Logger) *Processor {
	return &Processor{st: st, log: log, node: node, handlers: map[string]Handler{},
		wake: make(chan struct{}, 1), Poll: time.Second}
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
	state, note := store.InboxDone, ""
	h, ok := p.handlers[it.Kind]
	var err error
	if !ok {
		err = ErrKeep
	} else if l, lerr := p.st.GetListByID(ctx, it.ListID); lerr != nil {
		err = lerr
	} else {
		err = h(ctx, it, l)
	}
	switch {
	case errors.Is(err, ErrKeep):
		state = store.InboxKept
	case err != nil:
		state, note = store.InboxFailed, err.Error()
		p.log.Warn("inbox item failed", "id", it.ID, "kind", it.Kind, "from", it.EnvelopeFrom, "err", err)
	default:
		p.log.Info("inbox item done", "id", it.ID, "kind", it.Kind, "from", it.EnvelopeFrom)
	}
	if err := p.st.FinishInbox(context.WithoutCancel(ctx), it, state, note); err != nil {
		p.log.Error("finish inbox", "id", it.ID, "err", err)
	}
}
