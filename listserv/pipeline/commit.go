package pipeline

import (
	"context"
	"log/slog"
	"sort"

	"github.com/demnet-uk/listserv/listserv/store"
)

// committer batches concurrent intakes into one transaction (group
// commit): while one commit is being made durable the next batch gathers,
// so durability costs one fsync per batch, not per post.
type committer struct {
	st  Store
	log *slog.Logger
	in  chan *saveReq
}

type saveReq struct {
	it   *store.Intake
	done chan error
}

const maxBatch = 256

func newCommitter(st Store, log *slog.Logger) *committer {
	return &committer{st: st, log: log, in: make(chan *saveReq, maxBatch)}
}

// save blocks until it is durable (or failed).
func (c *committer) save(ctx context.Context, it *store.Intake) error {
	req := &saveReq{it: it, done: make(chan error, 1)}
	select {
	case c.in <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *committer) run(ctx context.Context) {
	batch := make([]*saveReq, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			return
		case r := <-c.in:
			batch = append(batch, r)
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-c.in:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		c.flush(context.WithoutCancel(ctx), batch)
	}
}

// flush commits the batch; if the batch fails, each item is retried alone
// so one bad message cannot fail its neighbours.
func (c *committer) flush(ctx context.Context, batch []*saveReq) {
	// One lock order (by list) so concurrent batches on PostgreSQL cannot deadlock.
	sort.SliceStable(batch, func(i, j int) bool { return batch[i].it.Message.ListID < batch[j].it.Message.ListID })
	items := make([]*store.Intake, len(batch))
	for i, r := range batch {
		items[i] = r.it
	}
	err := c.st.SaveIntake(ctx, items)
	if err == nil || len(batch) == 1 {
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	c.log.Warn("group commit failed, retrying one by one", "n", len(batch), "err", err)
	for _, r := range batch {
		r.done <- c.st.SaveIntake(ctx, []*store.Intake{r.it})
	}
}
