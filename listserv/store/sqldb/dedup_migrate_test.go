package sqldb_test

import (
	"database/sql"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/migrations"
)

func TestSQLiteDedupMigration(t *testing.T) { testDedupMigration(t, sqliteBackend) }

func TestPostgresDedupMigration(t *testing.T) {
	needPostgres(t)
	testDedupMigration(t, postgresBackend)
}

// testDedupMigration runs migration 0007 over duplicates stored before it
// existed: it must apply, keep every row, give the key to the oldest copy
// only, and then refuse new copies.
func testDedupMigration(t *testing.T, b backend) {
	s := b.open(t).(testStore)
	ctx := t.Context()
	l := &store.List{Address: "old@example.org"}
	if err := s.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	exec := func(raw *sql.DB, q string, args ...any) {
		t.Helper()
		if _, err := raw.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(s.raw, `DROP INDEX messages_dedup`)
	exec(s.raw, `ALTER TABLE messages DROP COLUMN dedup_key`)
	rows := []struct{ msgID, state string }{
		{"x@example.net", "accepted"}, {"x@example.net", "held"}, {"x@example.net", "owner"},
		{"x@example.net", "owner"}, {"", "accepted"}, {"", "accepted"},
	}
	for _, r := range rows {
		exec(s.raw, `INSERT INTO messages (list_id, message_id, size, raw, state, received_at) VALUES ($1, $2, 1, $3, $4, 1)`,
			l.ID, r.msgID, []byte("x"), r.state)
	}
	up, err := migrations.FS.ReadFile(b.dialect + "/0007_message_dedup.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(s.raw, string(up))
	rs, err := s.raw.QueryContext(ctx, `SELECT COALESCE(dedup_key, '-') FROM messages WHERE list_id = $1 ORDER BY id`, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var got []string
	for rs.Next() {
		var k string
		if err := rs.Scan(&k); err != nil {
			t.Fatal(err)
		}
		got = append(got, k)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"members x@example.net", "-", "owners x@example.net", "-", "-", "-"}
	if len(got) != len(want) {
		t.Fatalf("%d rows after the migration, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: dedup_key %q, want %q", i, got[i], want[i])
		}
	}
	it := &store.Intake{Message: &store.Message{ListID: l.ID, MessageID: "x@example.net", State: store.StateHeld, Raw: []byte("x")}}
	if err := s.SaveIntake(ctx, []*store.Intake{it}); err != nil || !it.Duplicate {
		t.Errorf("new copy after the migration: err %v, duplicate %v; want a duplicate", err, it.Duplicate)
	}
}
