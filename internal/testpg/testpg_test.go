package testpg

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestDBName(t *testing.T) {
	valid := regexp.MustCompile(`^t_[a-z0-9]+(_[a-z0-9]+)*_[0-9a-f]{8}$`)
	for _, name := range []string{
		"TestURL",
		"TestFoo/sub_test#01",
		"Test Ünïcode  spaces//and__more",
		"/",
		"",
		strings.Repeat("VeryLongTestName", 10),
	} {
		got := dbName(name)
		if !valid.MatchString(got) {
			t.Errorf("dbName(%q) = %q, want match of %s", name, got, valid)
		}
		if len(got) > 63 {
			t.Errorf("dbName(%q) = %q: longer than PostgreSQL's 63-byte limit", name, got)
		}
	}
	if a, b := dbName("TestX"), dbName("TestX"); a == b {
		t.Errorf("dbName gave the same name twice: %q", a)
	}
	if got := dbName("TestFoo/Bar"); !strings.HasPrefix(got, "t_testfoo_bar_") {
		t.Errorf("dbName(TestFoo/Bar) = %q, want prefix t_testfoo_bar_", got)
	}
}

func TestWithDatabase(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/t_x?sslmode=disable"},
		{"postgresql://u:p@h/", "postgresql://u:p@h/t_x"},
		{"postgres://h:1/db?dbname=other&sslmode=disable", "postgres://h:1/t_x?sslmode=disable"},
		{"host=/tmp port=5 dbname=postgres", "host=/tmp port=5 dbname=postgres dbname=t_x"},
	} {
		got, err := withDatabase(tc.base, "t_x")
		if err != nil || got != tc.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", tc.base, got, err, tc.want)
		}
	}
	if _, err := withDatabase("nonsense", "t_x"); err == nil {
		t.Errorf("withDatabase(nonsense) did not fail")
	}
}

func TestURL(t *testing.T) {
	if BaseURL() == "" {
		// Let URL decide: skip locally, fail under CI=true.
		URL(t)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var name string
	var leaked *pgx.Conn
	defer func() {
		if leaked != nil {
			leaked.Close(context.Background())
		}
	}()
	t.Run("fresh", func(t *testing.T) {
		u := URL(t)
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		name = strings.TrimPrefix(pu.Path, "/")
		if !strings.HasPrefix(name, "t_testurl_fresh_") {
			t.Errorf("database name %q, want prefix t_testurl_fresh_", name)
		}

		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatalf("connect to %s: %v", u, err)
		}
		// conn stays open past the subtest on purpose: the cleanup must
		// drop the database even while a session is still connected.
		leaked = conn

		var cur string
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&cur); err != nil {
			t.Fatal(err)
		}
		if cur != name {
			t.Errorf("current_database() = %q, want %q", cur, name)
		}

		var n int
		if err := conn.QueryRow(ctx,
			"SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("fresh database has %d user tables, want 0", n)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE t (id int PRIMARY KEY, s text); INSERT INTO t VALUES (1, 'é')"); err != nil {
			t.Fatal(err)
		}

		if u2 := URL(t); u2 == u {
			t.Errorf("two URL calls gave the same database %q", u)
		}
	})
	if name == "" {
		t.Fatal("subtest did not produce a database name")
	}

	// The subtest's cleanup has run: its database must be gone.
	conn, err := pgx.Connect(ctx, BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s still exists after test cleanup", name)
	}
}
