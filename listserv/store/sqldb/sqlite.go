package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

type sqliteDB struct{ db *sql.DB }

// openSQLite opens a WAL database with foreign keys on. synchronous(FULL)
// because a 250 promises durability across power loss; group commit in the
// pipeline keeps that affordable. _txlock=immediate because a deferred
// transaction cannot upgrade to a writer under contention.
func openSQLite(ctx context.Context, path string) (driver, error) {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	return &sqliteDB{db: db}, nil
}

func (s *sqliteDB) name() string       { return "sqlite" }
func (s *sqliteDB) skipLocked() string { return "" }
func (s *sqliteDB) forUpdate() string  { return "" }
func (s *sqliteDB) close() error       { return s.db.Close() }

func (s *sqliteDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, s.db, q, args...)
}
func (s *sqliteDB) query(ctx context.Context, q string, args ...any) (rows, error) {
	return sqlQuery(ctx, s.db, q, args...)
}
func (s *sqliteDB) queryRow(ctx context.Context, q string, args ...any) row {
	return sqlRow{s.db.QueryRowContext(ctx, q, args...)}
}

func (s *sqliteDB) tx(ctx context.Context, fn func(q querier) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(sqlTx{tx}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// copyMembers inserts in multi-row statements of 500 (SQLite allows 32766
// parameters); ON CONFLICT skips addresses already on the list.
func (s *sqliteDB) copyMembers(ctx context.Context, q querier, listID int64, ms []store.NewMember, now int64) (int, error) {
	return insertMembersMultiRow(ctx, q, listID, ms, now, sqlitePlaceholder)
}

// sqlExecer is what *sql.DB and *sql.Tx share.
type sqlExecer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func sqlExec(ctx context.Context, e sqlExecer, q string, args ...any) (int64, error) {
	res, err := e.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func sqlQuery(ctx context.Context, e sqlExecer, q string, args ...any) (rows, error) {
	r, err := e.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

type sqlTx struct{ tx *sql.Tx }

func (t sqlTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, t.tx, q, args...)
}
func (t sqlTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	return sqlQuery(ctx, t.tx, q, args...)
}
func (t sqlTx) queryRow(ctx context.Context, q string, args ...any) row {
	return sqlRow{t.tx.QueryRowContext(ctx, q, args...)}
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}
