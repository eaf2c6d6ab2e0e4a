package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/demnet-uk/listserv/listserv/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

type sqliteDB struct {
	db    *sql.DB
	stmts sync.Map // query text -> *sql.Stmt
	n     atomic.Int32
}

// maxStmts bounds the statement cache (bulk inserts vary in length).
const maxStmts = 512

// stmt returns a prepared statement for q, preparing it once: SQLite
// parses SQL on every Query otherwise, which the intake profile showed as a
// quarter of the CPU per post. nil means "run it unprepared".
func (s *sqliteDB) stmt(ctx context.Context, q string) *sql.Stmt {
	if v, ok := s.stmts.Load(q); ok {
		return v.(*sql.Stmt)
	}
	if s.n.Load() >= maxStmts {
		return nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil // let the plain call report the error
	}
	if v, loaded := s.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		return v.(*sql.Stmt)
	}
	s.n.Add(1)
	return st
}

// openSQLite opens a WAL database with foreign keys on. synchronous(FULL)
// because a 250 promises durability across power loss; group commit in the
// pipeline keeps that affordable. _txlock=immediate because a deferred
// transaction cannot upgrade to a writer under contention.
func openSQLite(ctx context.Context, path string, mustExist bool) (driver, error) {
	if mustExist {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%w at %s (no such file)", ErrNoDatabase, path)
		}
	} else if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	return &sqliteDB{db: db}, nil
}

func (s *sqliteDB) name() string       { return "sqlite" }
func (s *sqliteDB) skipLocked() string { return "" }
func (s *sqliteDB) forUpdate() string  { return "" }
func (s *sqliteDB) close() error {
	s.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	return s.db.Close()
}

func (s *sqliteDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if st := s.stmt(ctx, q); st != nil {
		return result(st.ExecContext(ctx, args...))
	}
	return sqlExec(ctx, s.db, q, args...)
}
func (s *sqliteDB) query(ctx context.Context, q string, args ...any) (rows, error) {
	if st := s.stmt(ctx, q); st != nil {
		return wrapRows(st.QueryContext(ctx, args...))
	}
	return sqlQuery(ctx, s.db, q, args...)
}
func (s *sqliteDB) queryRow(ctx context.Context, q string, args ...any) row {
	if st := s.stmt(ctx, q); st != nil {
		return sqlRow{st.QueryRowContext(ctx, args...)}
	}
	return sqlRow{s.db.QueryRowContext(ctx, q, args...)}
}

func (s *sqliteDB) tx(ctx context.Context, fn func(q querier) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(sqlTx{tx: tx, db: s}); err != nil {
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

type sqlTx struct {
	tx *sql.Tx
	db *sqliteDB
}

// on returns the cached statement bound to this transaction (database/sql
// reuses it when it was prepared on the transaction's connection). It never
// prepares: that needs a second pool connection while this transaction
// holds the write lock, which deadlocks when the pool is full. Statements
// used only inside transactions are prepared at open (warm).
func (t sqlTx) on(ctx context.Context, q string) *sql.Stmt {
	if v, ok := t.db.stmts.Load(q); ok {
		return t.tx.StmtContext(ctx, v.(*sql.Stmt))
	}
	return nil
}

// warm prepares statements that run only inside transactions.
func (s *sqliteDB) warm(ctx context.Context, qs ...string) {
	for _, q := range qs {
		s.stmt(ctx, q)
	}
}

func (t sqlTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if st := t.on(ctx, q); st != nil {
		return result(st.ExecContext(ctx, args...))
	}
	return sqlExec(ctx, t.tx, q, args...)
}
func (t sqlTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	if st := t.on(ctx, q); st != nil {
		return wrapRows(st.QueryContext(ctx, args...))
	}
	return sqlQuery(ctx, t.tx, q, args...)
}
func (t sqlTx) queryRow(ctx context.Context, q string, args ...any) row {
	if st := t.on(ctx, q); st != nil {
		return sqlRow{st.QueryRowContext(ctx, args...)}
	}
	return sqlRow{t.tx.QueryRowContext(ctx, q, args...)}
}

func result(r sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

func wrapRows(r *sql.Rows, err error) (rows, error) {
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
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
