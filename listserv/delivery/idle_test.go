package delivery_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
)

// countingStore is a real store that counts the calls an idle engine
// makes, and the copies captured.
type countingStore struct {
	store.Store
	claims   atomic.Int64 // ClaimChunk + ClaimRetries + ClaimDigestJob + ClaimMail
	captured atomic.Int64
}

func (c *countingStore) ClaimChunk(ctx context.Context, owner string, lease time.Duration, size int) (*store.Chunk, error) {
	c.claims.Add(1)
	return c.Store.ClaimChunk(ctx, owner, lease, size)
}

func (c *countingStore) ClaimRetries(ctx context.Context, owner string, lease time.Duration, limit int) ([]*store.Retry, error) {
	c.claims.Add(1)
	return c.Store.ClaimRetries(ctx, owner, lease, limit)
}

func (c *countingStore) ClaimDigestJob(ctx context.Context, owner string, lease time.Duration) (*store.DigestJob, error) {
	c.claims.Add(1)
	return c.Store.ClaimDigestJob(ctx, owner, lease)
}

// look is the claim calls of one look for work: chunk, retries, digest
// job, mail.
const look = 4

func (c *countingStore) ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]*store.QueuedMail, error) {
	c.claims.Add(1)
	return c.Store.ClaimMail(ctx, owner, lease, limit)
}

func (c *countingStore) CaptureCopies(ctx context.Context, cs []*store.Captured) error {
	err := c.Store.CaptureCopies(ctx, cs)
	if err == nil {
		c.captured.Add(int64(len(cs)))
	}
	return err
}

func TestIdleWorkersSleepSQLite(t *testing.T) {
	testIdleWorkersSleep(t, filepath.Join(t.TempDir(), "listserv.db"))
}

func TestIdleWorkersSleepPostgres(t *testing.T) {
	testIdleWorkersSleep(t, testpg.URL(t))
}

// testIdleWorkersSleep: after a wake-up with nothing to do, each idle
// worker looks once (four claim calls) and then sleeps until the next
// wake-up or poll; the poll here is an hour, so any further call is a spin.
// The positive control: a wake-up with a post queued delivers it at once.
func testIdleWorkersSleep(t *testing.T, dbURL string) {
	const workers = 4
	st, e := startEngine(t, dbURL, delivery.Config{Node: "n1", Workers: workers, Poll: time.Hour})

	// Every worker looks once at start: wait until they have.
	waitFor(t, func() bool { return st.claims.Load() >= look*workers }, "first look of every worker")
	const bound = look*workers + 3 // one look per worker per wake-up, and some slack
	for range 3 {
		before := st.claims.Load()
		e.Wake()
		time.Sleep(300 * time.Millisecond)
		if n := st.claims.Load() - before; n > bound {
			t.Fatalf("one wake-up with nothing to do cost %d claim calls in 300ms, want at most %d: idle workers spin", n, bound)
		}
	}

	// Positive control: real work after a wake-up is sent well before the
	// hour-long poll would find it.
	queuePost(t, st.Store, "team@example.org", 5)
	e.Wake()
	waitFor(t, func() bool { return st.captured.Load() == 5 }, "the post's 5 copies after a wake-up")
}

// TestPollFindsUnannouncedWork: work queued without a wake-up (another
// node's, whose notification was lost) is found by the poll, and an idle
// engine's poll costs one worker's look, not every worker's.
func TestPollFindsUnannouncedWork(t *testing.T) {
	const workers, poll = 4, 100 * time.Millisecond
	st, _ := startEngine(t, filepath.Join(t.TempDir(), "listserv.db"),
		delivery.Config{Node: "n1", Workers: workers, Poll: poll})
	waitFor(t, func() bool { return st.claims.Load() >= look*workers }, "first look of every worker")
	before, start := st.claims.Load(), time.Now()
	time.Sleep(10 * poll)
	polls := int64(time.Since(start)/poll) + 1
	if n := st.claims.Load() - before; n > look*polls {
		t.Errorf("idle for %d polls: %d claim calls, want at most %d (one look per poll)", polls, n, look*polls)
	}
	queuePost(t, st.Store, "quiet@example.org", 3)
	waitFor(t, func() bool { return st.captured.Load() == 3 }, "3 copies found by the poll")
}

// startEngine runs a capture engine over a counting store until the test ends.
func startEngine(t *testing.T, dbURL string, cfg delivery.Config) (*countingStore, *delivery.Engine) {
	t.Helper()
	db, err := sqldb.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	st := &countingStore{Store: db}
	e := delivery.New(st, delivery.NewCapture(st), token.New([]byte("secret")), cfg,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done; db.Close() })
	return st, e
}

// queuePost creates a list of n members and queues one accepted post to it.
func queuePost(t *testing.T, st store.Store, list string, n int) {
	t.Helper()
	ctx := t.Context()
	l := &store.List{Address: list, Name: list}
	if err := st.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	var ms []store.NewMember
	for i := range n {
		ms = append(ms, store.NewMember{Address: fmt.Sprintf("m%d@example.net", i)})
	}
	if _, _, err := st.AddMembers(ctx, l.ID, ms); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("%d@example.net", time.Now().UnixNano())
	raw := []byte("From: a@example.net\r\nTo: " + list + "\r\nSubject: hi\r\nMessage-ID: <" + id + ">\r\n\r\nhello\r\n")
	msg := &store.Message{ListID: l.ID, EnvelopeFrom: "a@example.net", FromAddr: "a@example.net", Subject: "hi",
		MessageID: id, SentAt: time.Now(), Raw: raw, State: store.StateAccepted}
	if err := st.SaveIntake(ctx, []*store.Intake{{Message: msg}}); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond for up to 20 s (generous: the machine may be busy;
// the hour-long poll is what the test tells apart).
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
