package sqldb

import (
	"context"
	"errors"
	"fmt"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

type pgDB struct{ pool *pgxpool.Pool }

func openPostgres(ctx context.Context, url string) (driver, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: postgres url: %w", err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	return &pgDB{pool: pool}, nil
}

func (p *pgDB) name() string       { return "postgres" }
func (p *pgDB) skipLocked() string { return " FOR UPDATE SKIP LOCKED" }
func (p *pgDB) forUpdate() string  { return " FOR UPDATE" }
func (p *pgDB) close() error       { p.pool.Close(); return nil }

func (p *pgDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := p.pool.Exec(ctx, q, args...)
	return tag.RowsAffected(), err
}
func (p *pgDB) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := p.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{r}, nil
}
func (p *pgDB) queryRow(ctx context.Context, q string, args ...any) row {
	return pgRow{p.pool.QueryRow(ctx, q, args...)}
}

func (p *pgDB) tx(ctx context.Context, fn func(q querier) error) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error { return fn(pgTx{tx}) })
}

// copyMembers streams rows with COPY into a temporary table, then inserts
// them with ON CONFLICT DO NOTHING: COPY alone fails the whole batch on one
// duplicate address.
func (p *pgDB) copyMembers(ctx context.Context, q querier, listID int64, ms []store.NewMember, now int64) (int, error) {
	t, ok := q.(pgTx)
	if !ok {
		return 0, errors.New("copyMembers needs a transaction")
	}
	if _, err := t.tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS member_import
		(address TEXT, address_key TEXT, name TEXT, role TEXT, mode TEXT, source TEXT) ON COMMIT DELETE ROWS`); err != nil {
		return 0, err
	}
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{"member_import"},
		[]string{"address", "address_key", "name", "role", "mode", "source"},
		pgx.CopyFromSlice(len(ms), func(i int) ([]any, error) {
			m := withDefaults(ms[i])
			return []any{m.Address, store.NormalizeAddress(m.Address), m.Name, m.Role, m.Mode, m.Source}, nil
		}))
	if err != nil {
		return 0, err
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO members (list_id, address, address_key, name, role, mode, source, created_at)
		SELECT DISTINCT ON (address_key) $1, address, address_key, name, role, mode, source, $2 FROM member_import
		ON CONFLICT (list_id, address_key) DO NOTHING`, listID, now)
	if err != nil {
		return 0, err
	}
	_, err = t.tx.Exec(ctx, `TRUNCATE member_import`)
	return int(tag.RowsAffected()), err
}

type pgTx struct{ tx pgx.Tx }

func (t pgTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(ctx, q, args...)
	return tag.RowsAffected(), err
}
func (t pgTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{r}, nil
}
func (t pgTx) queryRow(ctx context.Context, q string, args ...any) row {
	return pgRow{t.tx.QueryRow(ctx, q, args...)}
}

type pgRows struct{ pgx.Rows }

func (r pgRows) Close() { r.Rows.Close() }

type pgRow struct{ r pgx.Row }

func (r pgRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}
