package apppass

import (
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

func newEngine(t *testing.T) (*Engine, *sqldb.DB) {
	t.Helper()
	db, err := sqldb.Open(t.Context(), filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db, slog.New(slog.DiscardHandler)), db
}

// TestCreateVerifyRevoke: a new password signs in (typed with spaces or
// capitals too), records its use, and stops working once revoked; the
// stored hash is argon2id and never the password.
func TestCreateVerifyRevoke(t *testing.T) {
	e, db := newEngine(t)
	ctx := t.Context()
	secret, p, err := e.Create(ctx, "Ann@Example.net", "  my   phone ", "cli:test")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 24 || strings.Count(secret, "-") != 4 || p.Name != "my phone" {
		t.Fatalf("secret %q, name %q", secret, p.Name)
	}
	if !strings.HasPrefix(p.Hash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(p.Hash, canonical(secret)) {
		t.Fatalf("hash %q", p.Hash)
	}
	other, _, err := e.Create(ctx, "ann@example.net", "", "cli:test")
	if err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{secret, strings.ToUpper(secret), strings.ReplaceAll(secret, "-", " ")} {
		got, err := e.Verify(ctx, "ANN@example.net", typed)
		if err != nil || got.ID != p.ID || got.LastUsed.IsZero() {
			t.Fatalf("verify %q: %+v, %v", typed, got, err)
		}
	}
	if _, err := e.Verify(ctx, "ann@example.net", secret[:len(secret)-1]+"x"); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := e.Verify(ctx, "bob@example.net", secret); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("someone else's address: %v", err)
	}
	ps, err := e.List(ctx, "ann@example.net")
	if err != nil || len(ps) != 2 || ps[0].LastUsed.IsZero() || ps[1].Name != "mail client" {
		t.Fatalf("list: %+v, %v", ps, err)
	}
	if err := e.Revoke(ctx, "bob@example.net", p.ID, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoke by another: %v", err)
	}
	if err := e.Revoke(ctx, "ann@example.net", p.ID, "ann@example.net"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Verify(ctx, "ann@example.net", secret); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("revoked password still works: %v", err)
	}
	if _, err := e.Verify(ctx, "ann@example.net", other); err != nil {
		t.Fatalf("the other password stopped working: %v", err)
	}
	audit, err := db.ListAudit(ctx, 0, 0, 10)
	if err != nil || len(audit) != 3 || audit[0].Action != "app password revoked" {
		t.Fatalf("audit: %d rows, %v", len(audit), err)
	}
}

// TestCreateRefuses: bad addresses, long names and an eleventh password.
func TestCreateRefuses(t *testing.T) {
	e, _ := newEngine(t)
	ctx := t.Context()
	for _, a := range []string{"", "ann", "@example.net", "ann@", "a b@example.net"} {
		if _, _, err := e.Create(ctx, a, "", "x"); !errors.Is(err, ErrInvalid) {
			t.Errorf("address %q: %v", a, err)
		}
	}
	if _, _, err := e.Create(ctx, "ann@example.net", strings.Repeat("n", 61), "x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("long name: %v", err)
	}
	for i := range MaxPerAddress {
		if _, _, err := e.Create(ctx, "ann@example.net", "", "x"); err != nil {
			t.Fatalf("password %d: %v", i+1, err)
		}
	}
	if _, _, err := e.Create(ctx, "ann@example.net", "", "x"); !errors.Is(err, ErrTooMany) {
		t.Errorf("eleventh: %v", err)
	}
}

// TestMatchesRejectsBadHashes: a damaged hash never matches.
func TestMatchesRejectsBadHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=19456,t=0,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$"} {
		if ok, err := matches(h, "x"); ok || err == nil {
			t.Errorf("%q: ok %v err %v", h, ok, err)
		}
	}
}
