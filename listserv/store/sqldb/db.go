// Package sqldb implements store.Store on SQLite (modernc.org/sqlite) and
// PostgreSQL (pgx/v5). Both dialects share the queries, written with $N
// placeholders that SQLite also accepts; the few places where the dialects
// differ (row locking, bulk insert, bytes of the schema) go through dialect.
package sqldb

import (
	"context"
	"fmt"

	"github.com/demnet-uk/listserv/listserv/store"
)

// querier is what both drivers offer, inside or outside a transaction.
type querier interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rows, error)
	queryRow(ctx context.Context, q string, args ...any) row
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type row interface{ Scan(dest ...any) error }

// driver is one database connection pool.
type driver interface {
	querier
	// tx runs fn in one transaction; it commits when fn returns nil.
	tx(ctx context.Context, fn func(q querier) error) error
	// copyMembers bulk-inserts members (PostgreSQL COPY; SQLite multi-row).
	copyMembers(ctx context.Context, q querier, listID int64, ms []store.NewMember, now int64) (int, error)
	name() string
	// skipLocked is appended to SELECTs that claim queue rows; forUpdate to
	// SELECTs that must serialise on a row. Both are empty on SQLite, whose
	// immediate transactions already serialise writers.
	skipLocked() string
	forUpdate() string
	close() error
}

// DB is the store on one database.
type DB struct {
	d driver
}

// Open connects to url: postgres:// or postgresql:// selects PostgreSQL;
// sqlite:PATH, file:PATH or a plain path is a SQLite file, created with
// its directory when missing. Any other scheme is ErrBadURL. The schema is
// migrated to the newest version first.
func Open(ctx context.Context, url string) (*DB, error) {
	return open(ctx, url, false)
}

// OpenExisting is Open for a store that must already exist: it creates no
// file, directory or schema, and returns ErrNoDatabase saying where it
// looked. Older schemas are still migrated.
func OpenExisting(ctx context.Context, url string) (*DB, error) {
	return open(ctx, url, true)
}

func open(ctx context.Context, url string, mustExist bool) (*DB, error) {
	t, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	var d driver
	if t.postgres {
		d, err = openPostgres(ctx, url)
	} else {
		d, err = openSQLite(ctx, t.path, mustExist)
	}
	if err != nil {
		return nil, err
	}
	if mustExist && t.postgres {
		if err := checkSchema(ctx, d, url); err != nil {
			d.close()
			return nil, err
		}
	}
	db := &DB{d: d}
	if _, err := db.Migrate(ctx); err != nil {
		d.close()
		return nil, err
	}
	if s, ok := d.(*sqliteDB); ok {
		s.warm(ctx, insertMessageSQL, insertHeldSQL, allocUIDSQL, insertFanoutSQL)
	}
	return db, nil
}

// Dialect is sqlite or postgres.
func (db *DB) Dialect() string { return db.d.name() }

// Close releases the pool.
func (db *DB) Close() error { return db.d.close() }

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

var _ store.Store = (*DB)(nil)
