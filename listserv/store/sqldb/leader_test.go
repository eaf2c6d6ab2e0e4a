package sqldb_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

func TestSQLiteLeadDoesNotSpin(t *testing.T) { testLeadDoesNotSpin(t, sqliteBackend) }

func TestPostgresLeadDoesNotSpin(t *testing.T) {
	needPostgres(t)
	testLeadDoesNotSpin(t, postgresBackend)
}

// testLeadDoesNotSpin: a job that returns at once is started again after
// a pause, not in a tight loop of leadership queries.
func testLeadDoesNotSpin(t *testing.T, b backend) {
	db, err := sqldb.Open(t.Context(), b.url(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
	defer cancel()
	var runs atomic.Int64
	if err := db.Lead(ctx, "quick", "n1", func(context.Context) { runs.Add(1) }); err != nil {
		t.Fatal(err)
	}
	// Positive control: the job ran (so leadership was taken), and again
	// after the pause; a spin would run it thousands of times.
	if n := runs.Load(); n < 2 || n > 4 {
		t.Errorf("job that returns at once ran %d times in 2.5 s, want 2 to 4 (one per second)", n)
	}
}
