package sqldb_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// TestPostgresImportAnalyzes: an import of 1,000 or more members refreshes
// the planner statistics of members and digest_members at once (without
// them digest claims scanned the roster per batch); a smaller one does not.
func TestPostgresImportAnalyzes(t *testing.T) {
	needPostgres(t)
	ctx := t.Context()
	url := postgresBackend.url(t)
	db, err := sqldb.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	raw := postgresBackend.raw(t, url)
	l := &store.List{Address: "big@lists.example.org", Name: "big"}
	if err := db.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	members := func(from, n int) []store.NewMember {
		ms := make([]store.NewMember, n)
		for i := range ms {
			ms[i] = store.NewMember{Address: fmt.Sprintf("m%d@example.net", from+i), Mode: "digest", Source: "import"}
		}
		return ms
	}
	analyzed := func(table string) bool {
		t.Helper()
		// pg_stat counters reach the view at the end of a transaction;
		// a fresh snapshot is read each time.
		if _, err := raw.ExecContext(ctx, `SELECT pg_stat_clear_snapshot()`); err != nil {
			t.Fatal(err)
		}
		var at sql.NullTime
		if err := raw.QueryRowContext(ctx, `SELECT last_analyze FROM pg_stat_user_tables WHERE relname = $1`, table).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at.Valid
	}
	if added, _, err := db.AddMembers(ctx, l.ID, members(0, 999)); err != nil || added != 999 {
		t.Fatalf("AddMembers(999) = %d, %v", added, err)
	}
	if analyzed("members") {
		t.Fatal("members analyzed after an import of 999 rows, want only from 1,000")
	}
	if added, _, err := db.AddMembers(ctx, l.ID, members(1000, 1000)); err != nil || added != 1000 {
		t.Fatalf("AddMembers(1000) = %d, %v", added, err)
	}
	for _, table := range []string{"members", "digest_members"} {
		if !analyzed(table) {
			t.Errorf("%s not analyzed after an import of 1,000 rows", table)
		}
	}
}
