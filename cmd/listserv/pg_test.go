package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgURL gives the test a fresh, empty PostgreSQL database on the server in
// LISTSERV_TEST_POSTGRES, dropped when the test ends. It behaves like
// listserv/internal/testpg.URL, which this package may not import (Go's
// internal rule: cmd/ is outside listserv/): skipped when the variable is
// unset, except under CI=true where that is a failure.
func pgURL(t *testing.T) string {
	t.Helper()
	base := strings.TrimSpace(os.Getenv("LISTSERV_TEST_POSTGRES"))
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("LISTSERV_TEST_POSTGRES is not set but CI=true: PostgreSQL tests must run in CI (use scripts/test.sh)")
		}
		t.Skip("LISTSERV_TEST_POSTGRES not set; skipping PostgreSQL test (scripts/test.sh sets it up)")
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	name := "t_cli_" + hex.EncodeToString(rnd[:])
	var dbURL string
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("LISTSERV_TEST_POSTGRES: %v", err)
		}
		u.Path, u.RawPath = "/"+name, ""
		if q := u.Query(); q.Has("dbname") {
			q.Del("dbname")
			u.RawQuery = q.Encode()
		}
		dbURL = u.String()
	} else {
		// The CLI only takes postgres:// URLs as --db.
		t.Fatal("LISTSERV_TEST_POSTGRES must be a postgres:// URL for the CLI tests")
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to LISTSERV_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(context.Background())
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return dbURL
}
