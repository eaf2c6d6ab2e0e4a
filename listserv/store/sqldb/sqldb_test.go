package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/store/storetest"
	"github.com/demnet-uk/listserv/migrations"
)

// backend knows how to reach one test database with and without the store.
type backend struct {
	dialect string
	// url makes a fresh, empty database and returns what sqldb.Open takes.
	url func(t *testing.T) string
	// raw opens a plain database/sql handle on the same database, for the
	// few things a test must do behind the store's back.
	raw func(t *testing.T, url string) *sql.DB
}

var sqliteBackend = backend{
	dialect: "sqlite",
	url: func(t *testing.T) string {
		return filepath.Join(t.TempDir(), "listserv.db")
	},
	raw: func(t *testing.T, url string) *sql.DB {
		db, err := sql.Open("sqlite", "file:"+url+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	},
}

var postgresBackend = backend{
	dialect: "postgres",
	url:     func(t *testing.T) string { return testpg.URL(t) },
	raw: func(t *testing.T, url string) *sql.DB {
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	},
}

// testStore is the store under test plus a raw handle for the suite's
// optional storetest.MemberStatusSetter.
type testStore struct {
	*sqldb.DB
	raw *sql.DB
}

func (s testStore) SetMemberStatus(ctx context.Context, memberID int64, status string) error {
	res, err := s.raw.ExecContext(ctx, `UPDATE members SET status = $1 WHERE id = $2`, status, memberID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return store.ErrNotFound
	}
	return nil
}

func (b backend) open(t *testing.T) store.Store {
	t.Helper()
	url := b.url(t)
	db, err := sqldb.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("sqldb.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if got := db.Dialect(); got != b.dialect {
		t.Fatalf("Dialect() = %q, want %q", got, b.dialect)
	}
	return testStore{DB: db, raw: b.raw(t, url)}
}

func TestSQLite(t *testing.T) { storetest.Run(t, sqliteBackend.open) }

func TestPostgres(t *testing.T) {
	needPostgres(t)
	storetest.Run(t, postgresBackend.open)
}

func TestSQLiteMigrations(t *testing.T) { testMigrations(t, sqliteBackend) }

func TestPostgresMigrations(t *testing.T) {
	needPostgres(t)
	testMigrations(t, postgresBackend)
}

// needPostgres skips (or, under CI=true, fails) once, before any subtest,
// when no PostgreSQL server is configured.
func needPostgres(t *testing.T) {
	if testpg.BaseURL() == "" {
		testpg.URL(t)
	}
}

func testMigrations(t *testing.T, b backend) {
	t.Run("ReopenDoesNotReapply", func(t *testing.T) {
		ctx := t.Context()
		url := b.url(t)
		db, err := sqldb.Open(ctx, url)
		if err != nil {
			t.Fatalf("first Open: %v", err)
		}
		applied, known, err := db.SchemaVersion(ctx)
		if err != nil || known < 1 || applied != known {
			t.Fatalf("SchemaVersion after first open = %d, %d, %v; want applied == known >= 1", applied, known, err)
		}
		if err := db.CreateList(ctx, &store.List{Address: "keep@example.org"}); err != nil {
			t.Fatal(err)
		}
		db.Close()

		raw := b.raw(t, url)
		rowsBefore := countVersions(t, raw)

		db, err = sqldb.Open(ctx, url)
		if err != nil {
			t.Fatalf("second Open: %v", err)
		}
		defer db.Close()
		if n, err := db.Migrate(ctx); err != nil || n != 0 {
			t.Errorf("Migrate on an up-to-date database = %d, %v; want 0", n, err)
		}
		applied2, known2, err := db.SchemaVersion(ctx)
		if err != nil || applied2 != known || known2 != known {
			t.Errorf("SchemaVersion after reopen = %d, %d, %v; want %d, %d", applied2, known2, err, known, known)
		}
		if got := countVersions(t, raw); got != rowsBefore {
			t.Errorf("schema_migrations has %d rows after reopen, had %d", got, rowsBefore)
		}
		if _, err := db.GetList(ctx, "keep@example.org"); err != nil {
			t.Errorf("data lost across reopen: %v", err)
		}
	})

	t.Run("ConcurrentOpen", func(t *testing.T) {
		ctx := t.Context()
		url := b.url(t)
		if b.dialect == "sqlite" {
			// Several nodes migrating one fresh database at once is the
			// PostgreSQL case. SQLite is one node: concurrent opens there
			// are a command-line tool next to a running server, on a
			// database that already exists (switching a brand-new file to
			// WAL from several connections at once can fail with BUSY).
			db, err := sqldb.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				db, err := sqldb.Open(ctx, url)
				if err != nil {
					errs[i] = err
					return
				}
				defer db.Close()
				applied, known, err := db.SchemaVersion(ctx)
				if err == nil && applied != known {
					err = errors.New("schema not fully applied")
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent Open %d: %v", i, err)
			}
		}
		db, err := sqldb.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// One row per migration file (numbers may have gaps while
		// branches that reserved them are merged).
		files, err := fs.Glob(migrations.FS, b.dialect+"/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		if got := countVersions(t, b.raw(t, url)); got != len(files) {
			t.Errorf("schema_migrations has %d rows after concurrent opens, want %d", got, len(files))
		}
	})

	t.Run("SchemaTooNew", func(t *testing.T) {
		ctx := t.Context()
		url := b.url(t)
		db, err := sqldb.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		_, known, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()

		raw := b.raw(t, url)
		if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations (version, description, applied_at)
			VALUES ($1, 'from the future', 0)`, known+1); err != nil {
			t.Fatal(err)
		}
		db, err = sqldb.Open(ctx, url)
		if err == nil {
			db.Close()
			t.Fatal("Open of a database with a newer schema succeeded")
		}
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Errorf("Open of a newer schema: err = %v, want ErrSchemaTooNew", err)
		}
		if db != nil {
			t.Error("Open returned a DB along with the error")
		}
	})
}

func countVersions(t *testing.T, raw *sql.DB) int {
	t.Helper()
	var n int
	if err := raw.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
