// Package testpg gives tests their own throwaway PostgreSQL database.
//
// The server comes from the LISTSERV_TEST_POSTGRES environment variable
// (scripts/test.sh starts a private cluster and sets it). Each call to URL
// creates a fresh, empty database on that server and drops it when the test
// ends. Without the variable, PostgreSQL tests are skipped, except under
// CI=true where a missing server is a test failure.
package testpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// EnvVar names the environment variable holding the base connection URL.
const EnvVar = "LISTSERV_TEST_POSTGRES"

// BaseURL returns the value of LISTSERV_TEST_POSTGRES ("" when unset).
func BaseURL() string {
	return strings.TrimSpace(os.Getenv(EnvVar))
}

// URL returns a connection URL to a fresh, empty PostgreSQL database made for this test,
// dropped at t.Cleanup. When LISTSERV_TEST_POSTGRES is unset: t.Skip, except under CI=true where it t.Fatal's.
func URL(t testing.TB) string {
	t.Helper()
	base := BaseURL()
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set but CI=true: PostgreSQL tests must run in CI (use scripts/test.sh)", EnvVar)
		}
		t.Skipf("%s not set; skipping PostgreSQL test (scripts/test.sh sets it up)", EnvVar)
	}

	name := dbName(t.Name())
	dbURL, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("testpg: %s: %v", EnvVar, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("testpg: connect to %s: %v", redact(base), err)
	}
	defer conn.Close(context.Background())

	// template0 is never connected to, so concurrent CREATE DATABASEs from
	// parallel tests cannot fail with "source database is being accessed".
	// Encoding and collation are pinned so results do not depend on the
	// server's defaults.
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+
		" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
	if err != nil {
		t.Fatalf("testpg: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(base, name); err != nil {
			t.Errorf("testpg: drop database %s: %v", name, err)
		}
	})
	return dbURL
}

// dropDatabase drops name, disconnecting any sessions still using it.
func dropDatabase(base, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	ident := pgx.Identifier{name}.Sanitize()
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42601" {
		// Syntax error: server older than PostgreSQL 13 has no WITH (FORCE).
		if _, err := conn.Exec(ctx,
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
			name); err != nil {
			return err
		}
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident)
	}
	return err
}

// withDatabase returns base with its database replaced by name. base is a
// postgres:// URL or a keyword/value connection string.
func withDatabase(base, name string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		u.RawPath = ""
		// A dbname query parameter would override the path.
		if q := u.Query(); q.Has("dbname") {
			q.Del("dbname")
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	if strings.Contains(base, "=") {
		// Keyword/value form: a later keyword overrides an earlier one.
		return base + " dbname=" + name, nil
	}
	return "", errors.New("not a postgres:// URL or keyword/value connection string")
}

// dbName makes a unique database name from a test name:
// t_<sanitised lowercase prefix of up to 30 chars>_<8 random hex digits>.
func dbName(testName string) string {
	var b strings.Builder
	underscore := true // suppress a leading '_' and runs of '_'
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 30 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			underscore = false
		} else if !underscore {
			b.WriteByte('_')
			underscore = true
		}
	}
	prefix := strings.TrimRight(b.String(), "_")
	if prefix == "" {
		prefix = "test"
	}
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "t_" + prefix + "_" + hex.EncodeToString(rnd[:])
}

// redact hides a password in a URL for error messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "$" + EnvVar // keyword/value form may hold a password
	}
	if u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
