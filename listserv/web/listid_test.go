package web_test

import (
	"context"
	"github.com/demnet-uk/listserv/listserv/bounce"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/digest"
	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/signin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/subscribe"
	"github.com/demnet-uk/listserv/listserv/token"
	"github.com/demnet-uk/listserv/listserv/web"
)

// countingStore is the real store, counting the calls a list page makes.
type countingStore struct {
	store.Store
	calls atomic.Int64
}

func (c *countingStore) GetList(ctx context.Context, a string) (*store.List, error) {
	c.calls.Add(1)
	return c.Store.GetList(ctx, a)
}

func (c *countingStore) GetListByID(ctx context.Context, id int64) (*store.List, error) {
	c.calls.Add(1)
	return c.Store.GetListByID(ctx, id)
}

func (c *countingStore) GetListByListID(ctx context.Context, id string) (*store.List, error) {
	c.calls.Add(1)
	return c.Store.GetListByListID(ctx, id)
}

func (c *countingStore) ListSummaries(ctx context.Context, id int64, since time.Time) ([]*store.ListSummary, error) {
	c.calls.Add(1)
	return c.Store.ListSummaries(ctx, id, since)
}

func (c *countingStore) GetSession(ctx context.Context, h string, now time.Time) (string, error) {
	c.calls.Add(1)
	return c.Store.GetSession(ctx, h, now)
}

// stores runs fn on SQLite, and on PostgreSQL when configured.
func stores(t *testing.T, fn func(t *testing.T, st store.Store)) {
	open := func(t *testing.T, url string) {
		db, err := sqldb.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	}
	t.Run("sqlite", func(t *testing.T) { open(t, filepath.Join(t.TempDir(), "listserv.db")) })
	t.Run("postgres", func(t *testing.T) { open(t, testpg.URL(t)) })
}

// moderator offers moderation's actions over st, as the server does.
// site serves st over a real HTTP server and returns its URL.
func site(t *testing.T, st store.Store, opts web.Options) string {
	t.Helper()
	tokens := token.New([]byte("0123456789abcdef0123456789abcdef"))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := web.Engines{
		Signin:     signin.New(st, log, signin.Options{BaseURL: opts.BaseURL, SiteAddress: "site@lists.example.org"}),
		Subscribe:  subscribe.New(st, tokens, log, subscribe.Options{BaseURL: opts.BaseURL, SiteAddress: "site@lists.example.org"}),
		Moderation: moderation.Actions{St: st},
		Digest:     digest.Settings{St: st},
		Bounces:    bounce.New(st, tokens, bounce.Config{BaseURL: opts.BaseURL}, log),
		Owners:     admin.Actions{St: st},
	}
	w, err := web.New(st, eng, tokens, log, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(w.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestListPageCostsOneLookup: a list id costs the same few store calls
// whatever its number of dots (it used to cost one lookup per dot), and
// an absurd address is refused before any store work.
func TestListPageCostsOneLookup(t *testing.T) {
	stores(t, func(t *testing.T, real store.Store) {
		st := &countingStore{Store: real}
		if err := real.CreateList(t.Context(), &store.List{Address: "first.last@lists.example.org", Name: "Dotted"}); err != nil {
			t.Fatal(err)
		}
		base := site(t, st, web.Options{BaseURL: "https://lists.example.org"})
		cost := func(path string, want int) int64 {
			t.Helper()
			st.calls.Store(0)
			if code, _ := get(t, base+path); code != want {
				t.Fatalf("GET %.60s…: %d, want %d", path, code, want)
			}
			return st.calls.Load()
		}
		found := cost("/lists/first.last.lists.example.org", http.StatusOK)
		short := cost("/lists/no.example", http.StatusNotFound)
		dotty := cost("/lists/"+strings.Repeat("a.", 120)+"example", http.StatusNotFound)
		if short != 1 || dotty != 1 || found > 2 {
			t.Errorf("store calls: found %d, 1 dot %d, 120 dots %d; want at most 2, 1, 1", found, short, dotty)
		}
		if n := cost("/lists/"+strings.Repeat("a.", 200)+"example", http.StatusNotFound); n != 0 {
			t.Errorf("an id longer than any address cost %d store calls, want 0", n)
		}
		st.calls.Store(0)
		code, page := get(t, base+"/lists/"+strings.Repeat("a.", 12000)+"example")
		if code != http.StatusRequestURITooLong || !strings.Contains(page, "Address too long") {
			t.Errorf("23 KB id: %d, want 414 with a page:\n%.300s", code, page)
		}
		if n := st.calls.Load(); n != 0 {
			t.Errorf("a 23 KB address cost %d store calls, want 0", n)
		}
	})
}
