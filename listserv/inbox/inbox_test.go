package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// flaky is the real store with GetListByID failing the first fails calls,
// as a busy database does.
type flaky struct {
	store.Store
	fails atomic.Int32
}

var errBusy = errors.New("database is locked (SQLITE_BUSY)")

func (f *flaky) GetListByID(ctx context.Context, id int64) (*store.List, error) {
	if f.fails.Add(-1) >= 0 {
		return nil, fmt.Errorf("store: get list: %w", errBusy)
	}
	return f.Store.GetListByID(ctx, id)
}

func stores(t *testing.T, fn func(t *testing.T, st store.Store)) {
	open := func(t *testing.T, url string) store.Store {
		db, err := sqldb.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	t.Run("sqlite", func(t *testing.T) { fn(t, open(t, filepath.Join(t.TempDir(), "db"))) })
	t.Run("postgres", func(t *testing.T) { fn(t, open(t, testpg.URL(t))) })
}

func saveItem(t *testing.T, st store.Store, listID int64, kind string) *store.InboxItem {
	t.Helper()
	it := &store.InboxItem{ListID: listID, Kind: kind, EnvelopeFrom: "a@example.net", Raw: []byte("Subject: x\r\n\r\ny\r\n")}
	if err := st.SaveInbox(t.Context(), it); err != nil {
		t.Fatal(err)
	}
	return it
}

func get(t *testing.T, st store.Store, id int64) *store.InboxItem {
	t.Helper()
	it, err := st.GetInbox(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestTemporaryFailureIsRetried: a handler that fails because the
// database is busy is tried again after a backoff, not failed for good;
// a permanent failure is failed at once with its reason; a temporary one
// that never clears is given up after MaxAttempts.
func TestTemporaryFailureIsRetried(t *testing.T) {
	stores(t, func(t *testing.T, real store.Store) {
		ctx := t.Context()
		l := &store.List{Address: "team@example.org"}
		if err := real.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
		st := &flaky{Store: real}
		p := New(st, "node", slog.New(slog.DiscardHandler))
		var handled atomic.Int32
		p.Handle("leave", func(ctx context.Context, it *store.InboxItem, l *store.List) error { handled.Add(1); return nil })
		p.Handle("request", func(ctx context.Context, it *store.InboxItem, l *store.List) error {
			return Permanent(errors.New("unreadable message"))
		})
		p.Handle("join", func(ctx context.Context, it *store.InboxItem, l *store.List) error {
			return fmt.Errorf("join: %w", context.DeadlineExceeded)
		})

		// Busy twice: the item waits for its next attempt, then is done.
		p.RetryBase, p.RetryMax = time.Hour, time.Hour
		leave := saveItem(t, st, l.ID, "leave")
		st.fails.Store(1)
		before := time.Now()
		if n := p.once(ctx); n != 1 {
			t.Fatalf("claimed %d items, want 1", n)
		}
		got := get(t, st, leave.ID)
		if got.State != "new" || got.Attempts != 1 || !strings.Contains(got.Note, "locked") ||
			got.NextAttempt.Before(before.Add(time.Hour-time.Second)) {
			t.Fatalf("after a busy database: %+v, want new, 1 attempt, next in an hour, the error as note", got)
		}
		if n := p.once(ctx); n != 0 {
			t.Fatalf("an item waiting for its next attempt was claimed again (%d)", n)
		}

		p.RetryBase = 10 * time.Millisecond
		again := saveItem(t, st, l.ID, "leave")
		st.fails.Store(2)
		for i := 0; get(t, st, again.ID).State == "new"; i++ {
			if i > 500 {
				t.Fatal("never done")
			}
			p.once(ctx)
			time.Sleep(5 * time.Millisecond)
		}
		if got := get(t, st, again.ID); got.State != store.InboxDone || got.Attempts != 2 || handled.Load() != 1 {
			t.Errorf("after two busy attempts: %+v, handled %d times; want done after 2 retries, handled once", got, handled.Load())
		}

		// Permanent: failed at once, reason kept.
		req := saveItem(t, st, l.ID, "request")
		p.once(ctx)
		if got := get(t, st, req.ID); got.State != store.InboxFailed || got.Attempts != 0 || got.Note != "unreadable message" {
			t.Errorf("permanent failure: %+v", got)
		}

		// A deadline every time: given up after MaxAttempts.
		p.MaxAttempts, p.RetryBase, p.RetryMax = 3, time.Millisecond, time.Millisecond
		join := saveItem(t, st, l.ID, "join")
		for i := 0; get(t, st, join.ID).State == "new"; i++ {
			if i > 500 {
				t.Fatal("never given up")
			}
			p.once(ctx)
			time.Sleep(2 * time.Millisecond)
		}
		if got := get(t, st, join.ID); got.State != store.InboxFailed || got.Attempts != 2 || !strings.Contains(got.Note, "gave up after 3 attempts") {
			t.Errorf("always temporary: %+v", got)
		}
	})
}
