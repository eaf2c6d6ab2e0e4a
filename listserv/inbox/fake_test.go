package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// memInbox implements only the processor's Store, in memory, so a test
// can inject faults the real stores cannot be made to show on demand and
// drive attempts without waiting for their times: it hands out every new
// unleased item whatever its NextAttempt. The real stores' behaviour is
// the conformance suite's (storetest) and TestTemporaryFailureIsRetried's.
type memInbox struct {
	mu        sync.Mutex
	items     map[int64]*store.InboxItem
	leased    map[int64]bool
	claimErrs int         // ClaimInbox fails this many more times
	retryErr  error       // RetryInbox fails with this (and records nothing)
	nexts     []time.Time // NextAttempt of each RetryInbox, in order
}

func newMemInbox(its ...*store.InboxItem) *memInbox {
	m := &memInbox{items: map[int64]*store.InboxItem{}, leased: map[int64]bool{}}
	for _, it := range its {
		it.State = "new"
		m.items[it.ID] = it
	}
	return m
}

func (m *memInbox) ClaimInbox(ctx context.Context, owner string, lease time.Duration, limit int) ([]*store.InboxItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.claimErrs > 0 {
		m.claimErrs--
		return nil, fmt.Errorf("claim inbox: %w", errBusy)
	}
	var out []*store.InboxItem
	for id := int64(1); id <= int64(len(m.items)) && len(out) < limit; id++ {
		if it := m.items[id]; it != nil && it.State == "new" && !m.leased[id] {
			m.leased[id] = true
			c := *it
			out = append(out, &c)
		}
	}
	return out, nil
}

// FinishInbox refuses an ended context, as a real database call does.
func (m *memInbox) FinishInbox(ctx context.Context, it *store.InboxItem, state, note string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.items[it.ID]
	s.State, s.Note, m.leased[it.ID] = state, note, false
	return nil
}

func (m *memInbox) RetryInbox(ctx context.Context, it *store.InboxItem, next time.Time, note string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.retryErr != nil {
		return m.retryErr
	}
	s := m.items[it.ID]
	s.Attempts, s.NextAttempt, s.Note, m.leased[it.ID] = s.Attempts+1, next, note, false
	m.nexts = append(m.nexts, next)
	return nil
}

func (m *memInbox) GetListByID(ctx context.Context, id int64) (*store.List, error) {
	return &store.List{ID: id, Address: "team@example.org"}, nil
}

func (m *memInbox) item(id int64) store.InboxItem {
	m.mu.Lock()
	defer m.mu.Unlock()
	return *m.items[id]
}

func newFakeProcessor(st Store) *Processor { return New(st, "node", slog.New(slog.DiscardHandler)) }

// TestBackoffDoubles: each temporary failure waits twice as long as the
// one before, up to RetryMax, and the MaxAttempts-th fails the item with
// the count and the last error as its note.
func TestBackoffDoubles(t *testing.T) {
	st := newMemInbox(&store.InboxItem{ID: 1, Kind: "join"})
	p := newFakeProcessor(st)
	p.RetryBase, p.RetryMax, p.MaxAttempts = time.Minute, 5*time.Minute, 6
	p.Handle("join", func(context.Context, *store.InboxItem, *store.List) error { return errBusy })
	var starts []time.Time
	for range p.MaxAttempts {
		starts = append(starts, time.Now())
		if n := p.once(t.Context()); n != 1 {
			t.Fatalf("claimed %d items, want 1", n)
		}
	}
	want := []time.Duration{1, 2, 4, 5, 5} // minutes: doubled, then capped
	if len(st.nexts) != len(want) {
		t.Fatalf("%d retries recorded, want %d", len(st.nexts), len(want))
	}
	for i, next := range st.nexts {
		if d := next.Sub(starts[i]); d < want[i]*time.Minute || d > want[i]*time.Minute+time.Second {
			t.Errorf("retry %d waits %v, want %v", i+1, d, want[i]*time.Minute)
		}
	}
	got := st.item(1)
	if got.State != store.InboxFailed || !strings.HasPrefix(got.Note, "gave up after 6 attempts") || !strings.Contains(got.Note, "SQLITE_BUSY") {
		t.Errorf("after %d temporary failures: %q %q, want failed, gave up after 6 attempts with the error", p.MaxAttempts, got.State, got.Note)
	}
}

// TestOutcomeOutlivesShutdown: an item whose handler finished as the
// server shut down is recorded done, not left to be handled again.
func TestOutcomeOutlivesShutdown(t *testing.T) {
	st := newMemInbox(&store.InboxItem{ID: 1, Kind: "leave"})
	p := newFakeProcessor(st)
	ctx, stop := context.WithCancel(t.Context())
	p.Handle("leave", func(context.Context, *store.InboxItem, *store.List) error { stop(); return nil })
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if got := st.item(1); got.State != store.InboxDone {
		t.Errorf("handled during shutdown: state %q, want %q", got.State, store.InboxDone)
	}
}

// TestClaimAndRecordFaults: a busy database at claim time does not stop
// the processor (the item is handled on a later look), and a retry that
// cannot be recorded (lease lost) does not stop the rest of the batch.
func TestClaimAndRecordFaults(t *testing.T) {
	st := newMemInbox(&store.InboxItem{ID: 1, Kind: "join"}, &store.InboxItem{ID: 2, Kind: "leave"})
	st.claimErrs, st.retryErr = 3, store.ErrLeaseLost
	p := newFakeProcessor(st)
	p.Poll = 5 * time.Millisecond
	handled := make(chan int64, 2)
	p.Handle("join", func(_ context.Context, it *store.InboxItem, _ *store.List) error {
		handled <- it.ID
		return errors.New("temporary")
	})
	p.Handle("leave", func(_ context.Context, it *store.InboxItem, _ *store.List) error { handled <- it.ID; return nil })
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	defer func() { stop(); <-done }()
	for _, want := range []int64{1, 2} {
		select {
		case id := <-handled:
			if id != want {
				t.Fatalf("handled item %d, want %d", id, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("item %d never handled after the database was busy", want)
		}
	}
	stop()
	<-done
	if got := st.item(2); got.State != store.InboxDone {
		t.Errorf("the item after a lost lease: %q, want done", got.State)
	}
	if got := st.item(1); got.State != "new" || got.Attempts != 0 {
		t.Errorf("the item whose retry was not recorded: %q after %d attempts, want new, untouched", got.State, got.Attempts)
	}
}
