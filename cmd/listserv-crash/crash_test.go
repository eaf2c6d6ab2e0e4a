package main

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/testpg"
)

// TestShortCrash is the harness's short version: 3 crash rounds per fault
// mode on SQLite and PostgreSQL, the SIGTERM scenario on SQLite, and three
// nodes on one PostgreSQL database, and two digest rounds on those three
// nodes (about 15 s). PostgreSQL parts follow testpg: skipped
// without LISTSERV_TEST_POSTGRES, a failure under CI=true.
// LISTSERV_CRASH_SEED repeats a run.
func TestShortCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash harness: starts real servers and kills them (skipped with -short)")
	}
	seed := uint64(time.Now().UnixNano() % 1e9)
	if v := os.Getenv("LISTSERV_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("LISTSERV_CRASH_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("seed=%d (LISTSERV_CRASH_SEED=%d repeats this run)", seed, seed)
	ctx := context.Background()
	tl := &testLog{}
	e, err := newEnv(ctx, t.TempDir(), "", seed, tl.line)
	if err != nil {
		t.Fatal(err)
	}
	// sub runs f as a subtest whose PostgreSQL databases come from testpg.
	sub := func(name string, f func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			tl.set(t)
			defer tl.set(nil)
			e.newPG = func(context.Context, string) (string, func() error, error) {
				return testpg.URL(t), func() error { return nil }, nil
			}
			f(t)
		})
	}
	for _, store := range []string{"sqlite", "postgres"} {
		for _, faults := range []string{"none", "refuse", "drop"} {
			sub("crash/"+store+"/"+faults, func(t *testing.T) {
				r, err := e.runCrash(ctx, crashOpts{store: store, faults: faults, rounds: 3, members: 300, posts: 8})
				t.Log(r.String())
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	sub("sigterm/sqlite", func(t *testing.T) {
		r, err := e.runSigterm(ctx, "sqlite", 2000)
		t.Log(r.String())
		if err != nil {
			t.Fatal(err)
		}
	})
	sub("nodes/postgres", func(t *testing.T) {
		r, err := e.runNodes(ctx, 5000)
		t.Log(r.String())
		if err != nil {
			t.Fatal(err)
		}
	})
	sub("digest/postgres", func(t *testing.T) {
		r, err := e.runDigest(ctx, digestOpts{store: "postgres", rounds: 2, members: 100, posts: 4})
		t.Log(r.String())
		if err != nil {
			t.Fatal(err)
		}
	})
}

// testLog sends the harness's progress lines to the running subtest's log.
type testLog struct {
	mu sync.Mutex
	t  *testing.T
}

func (l *testLog) set(t *testing.T) {
	l.mu.Lock()
	l.t = t
	l.mu.Unlock()
}

func (l *testLog) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.t != nil {
		l.t.Log(s)
	}
}
