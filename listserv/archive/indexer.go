package archive

import (
	"context"
	"log/slog"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// IndexStore is what the indexer needs.
type IndexStore interface {
	ListUnindexedPosts(ctx context.Context, limit int) ([]*store.Message, error)
	IndexArchive(ctx context.Context, docs []*store.ArchiveDoc) error
}

// Indexer threads and indexes archived posts soon after they are stored:
// woken by intake and moderation, and by a slow poll for posts stored by
// other nodes, erasure rewrites and the archive of an older version.
type Indexer struct {
	st   IndexStore
	log  *slog.Logger
	wake chan struct{}
	// Poll is how often it looks without a wake-up; Batch how many posts
	// one transaction indexes.
	Poll  time.Duration
	Batch int
}

// NewIndexer makes an indexer over st; a nil log is slog's default.
func NewIndexer(st IndexStore, log *slog.Logger) *Indexer {
	if log == nil {
		log = slog.Default()
	}
	return &Indexer{st: st, log: log, wake: make(chan struct{}, 1), Poll: 2 * time.Second, Batch: 200}
}

// Wake asks for a pass soon; it never blocks.
func (x *Indexer) Wake() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// Run indexes until ctx ends.
func (x *Indexer) Run(ctx context.Context) {
	t := time.NewTicker(x.Poll)
	defer t.Stop()
	for {
		if _, err := x.CatchUp(ctx); err != nil && ctx.Err() == nil {
			x.log.Warn("archive index", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-x.wake:
		case <-t.C:
		}
	}
}

// CatchUp indexes every post waiting and returns how many it did.
func (x *Indexer) CatchUp(ctx context.Context) (int, error) {
	done := 0
	for {
		ms, err := x.st.ListUnindexedPosts(ctx, x.Batch)
		if err != nil || len(ms) == 0 {
			return done, err
		}
		docs := make([]*store.ArchiveDoc, len(ms))
		for i, m := range ms {
			docs[i] = Extract(m)
		}
		if err := x.st.IndexArchive(ctx, docs); err != nil {
			return done, err
		}
		done += len(ms)
		if len(ms) < x.Batch {
			return done, nil
		}
	}
}
