package sqldb_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// The list-id lookup must use the expression index, or a big site pays a
// table scan for every list page.
const listIDQuery = `SELECT id FROM lists WHERE replace(address, '@', '.') = 'team.example.org'`

func TestListIDIndexSQLite(t *testing.T) {
	url := sqliteBackend.url(t)
	openClose(t, url)
	var plan strings.Builder
	rs, err := sqliteBackend.raw(t, url).QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+listIDQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var id, parent, unused int
		var detail string
		if err := rs.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail + "\n")
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.String(), "lists_list_id") {
		t.Errorf("list-id lookup does not use the index:\n%s", plan.String())
	}
}

func TestListIDIndexPostgres(t *testing.T) {
	needPostgres(t)
	url := postgresBackend.url(t)
	openClose(t, url)
	conn, err := postgresBackend.raw(t, url).Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// On an almost empty table the planner prefers a scan; forbid it to see
	// whether the index can serve the query at all.
	if _, err := conn.ExecContext(t.Context(), `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	plan := explain(t, conn)
	if !strings.Contains(plan, "lists_list_id") {
		t.Errorf("list-id lookup does not use the index:\n%s", plan)
	}
}

func explain(t *testing.T, conn *sql.Conn) string {
	t.Helper()
	rs, err := conn.QueryContext(t.Context(), `EXPLAIN `+listIDQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var b strings.Builder
	for rs.Next() {
		var line string
		if err := rs.Scan(&line); err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// openClose migrates a fresh database.
func openClose(t *testing.T, url string) {
	t.Helper()
	db, err := sqldb.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
