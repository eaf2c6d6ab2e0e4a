package signin_test

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/signin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

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

func engine(st store.Store) *signin.Engine {
	return signin.New(st, nil, signin.Options{BaseURL: "https://lists.example.org/", SiteAddress: "site@lists.example.org"})
}

// member puts addr on a fresh list, so it may ask for links.
func member(t *testing.T, st store.Store, addr string) {
	t.Helper()
	l := &store.List{Address: "team@lists.example.org"}
	if err := st.CreateList(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddMembers(t.Context(), l.ID, []store.NewMember{{Address: addr}}); err != nil {
		t.Fatal(err)
	}
}

var linkRe = regexp.MustCompile(`https://lists\.example\.org/login/([a-z2-7]+)`)

// mailedTokens returns the sign-in tokens queued for addr.
func mailedTokens(t *testing.T, st store.Store, addr string) []string {
	t.Helper()
	ms, err := st.ClaimMail(t.Context(), "test", time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.To != addr {
			t.Errorf("sign-in mail to %s, want only %s", m.To, addr)
		}
		if l := linkRe.FindStringSubmatch(string(m.Raw)); l != nil {
			out = append(out, l[1])
		}
	}
	return out
}

func TestRequestLink(t *testing.T) {
	stores(t, func(t *testing.T, st store.Store) {
		ctx := t.Context()
		e := engine(st)
		member(t, st, "m@x.org")
		if err := e.RequestLink(ctx, "stranger@x.org", "/"); !errors.Is(err, signin.ErrNotSent) {
			t.Errorf("link for a stranger: %v, want ErrNotSent", err)
		}
		for i := range signin.PerWindow {
			if err := e.RequestLink(ctx, "M@x.org", "/me"); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		if err := e.RequestLink(ctx, "m@x.org", "/"); !errors.Is(err, signin.ErrNotSent) {
			t.Errorf("link beyond the limit: %v, want ErrNotSent", err)
		}
		toks := mailedTokens(t, st, "M@x.org")
		if len(toks) != signin.PerWindow {
			t.Fatalf("%d links mailed, want %d", len(toks), signin.PerWindow)
		}
		s, err := e.Redeem(ctx, toks[0])
		if err != nil || s.Address != "m@x.org" || s.Next != "/me" {
			t.Fatalf("redeem a mailed link: %+v %v", s, err)
		}
		// A window later the address may ask again.
		now := time.Now()
		e.Now = func() time.Time { return now.Add(signin.Window + time.Minute) }
		if err := e.RequestLink(ctx, "m@x.org", "/"); err != nil {
			t.Errorf("request after the window: %v", err)
		}
	})
}

func TestIssueRedeemSignOut(t *testing.T) {
	stores(t, func(t *testing.T, st store.Store) {
		ctx := t.Context()
		e := engine(st)
		u, err := e.IssueLink(ctx, "op@x.org", "/moderate?x=1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(u, "?next=%2Fmoderate%3Fx%3D1") {
			t.Errorf("link %s does not carry next", u)
		}
		if bad, _ := e.IssueLink(ctx, "op@x.org", "//evil.test"); strings.Contains(bad, "next=") {
			t.Errorf("an off-site next was kept: %s", bad)
		}
		tok := linkRe.FindStringSubmatch(u)[1]
		if err := e.Check(ctx, tok); err != nil {
			t.Fatalf("check a fresh link: %v", err)
		}
		if err := e.Check(ctx, tok); err != nil {
			t.Fatalf("checking used the link: %v", err)
		}
		s, err := e.Redeem(ctx, tok)
		if err != nil || s.Address != "op@x.org" || s.Next != "/moderate?x=1" || s.Token == "" {
			t.Fatalf("redeem: %+v %v", s, err)
		}
		if _, err := e.Redeem(ctx, tok); !errors.Is(err, signin.ErrInvalid) {
			t.Errorf("second redeem: %v, want ErrInvalid", err)
		}
		if err := e.Check(ctx, tok); !errors.Is(err, signin.ErrInvalid) {
			t.Errorf("check a used link: %v, want ErrInvalid", err)
		}
		got, err := e.Resolve(ctx, s.Token)
		if err != nil || got.Address != "op@x.org" || got.Hash != s.Hash {
			t.Fatalf("resolve: %+v %v", got, err)
		}
		if err := e.SignOut(ctx, s.Hash); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Resolve(ctx, s.Token); !errors.Is(err, signin.ErrInvalid) {
			t.Errorf("resolve after sign-out: %v, want ErrInvalid", err)
		}
	})
}

func TestLinkExpires(t *testing.T) {
	stores(t, func(t *testing.T, st store.Store) {
		ctx := t.Context()
		e := engine(st)
		u, err := e.IssueLink(ctx, "op@x.org", "/")
		if err != nil {
			t.Fatal(err)
		}
		tok := linkRe.FindStringSubmatch(u)[1]
		now := time.Now()
		e.Now = func() time.Time { return now.Add(signin.LinkTTL + time.Second) }
		if err := e.Check(ctx, tok); !errors.Is(err, signin.ErrInvalid) {
			t.Errorf("check an expired link: %v", err)
		}
		if _, err := e.Redeem(ctx, tok); !errors.Is(err, signin.ErrInvalid) {
			t.Errorf("redeem an expired link: %v", err)
		}
		e.Now = func() time.Time { return now.Add(signin.LinkTTL - time.Minute) }
		s, err := e.Redeem(ctx, tok)
		if err != nil {
			t.Fatalf("redeem within its time: %v", err)
		}
		e.Now = func() time.Time { return now.Add(signin.SessionTTL + time.Hour) }
		if _, err := e.Resolve(ctx, s.Token); !errors.Is(err, signin.ErrInvalid) {
			t.Errorf("resolve an expired session: %v", err)
		}
	})
}
