package sqldb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/migrations"
)

type migration struct {
	version     int
	description string
	sql         string
}

// migrationLock is the advisory lock key that serialises migrations when
// several nodes start at once on one PostgreSQL.
const migrationLock = 7_253_001

func loadMigrations(dialect string) ([]migration, error) {
	entries, err := fs.ReadDir(migrations.FS, dialect)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, desc, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: want NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(migrations.FS, dialect+"/"+name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, description: desc, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion returns the applied version and the newest this binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	ms, err := loadMigrations(db.d.name())
	if err != nil {
		return 0, 0, err
	}
	if err := db.ensureMigrationTable(ctx); err != nil {
		return 0, 0, err
	}
	applied, err = currentVersion(ctx, db.d)
	return applied, ms[len(ms)-1].version, err
}

// Migrate applies every migration newer than the database, one transaction
// each, and returns how many it applied. It refuses a newer schema.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := loadMigrations(db.d.name())
	if err != nil {
		return 0, wrap("migrate", err)
	}
	if err := db.ensureMigrationTable(ctx); err != nil {
		return 0, wrap("migrate", err)
	}
	cur, err := currentVersion(ctx, db.d)
	if err != nil {
		return 0, wrap("migrate", err)
	}
	if latest := ms[len(ms)-1].version; cur > latest {
		return 0, fmt.Errorf("store: schema version %d, binary knows %d: %w", cur, latest, store.ErrSchemaTooNew)
	}
	n := 0
	for _, m := range ms {
		if m.version <= cur {
			continue
		}
		applied, err := db.applyOne(ctx, m)
		if err != nil {
			return n, fmt.Errorf("store: migration %04d_%s: %w", m.version, m.description, err)
		}
		if applied {
			n++
		}
	}
	return n, nil
}

// ensureMigrationTable creates schema_migrations if needed. On PostgreSQL it
// holds the migration lock: concurrent CREATE TABLE IF NOT EXISTS of one
// table can fail there with a unique violation on the catalog.
func (db *DB) ensureMigrationTable(ctx context.Context) error {
	return db.d.tx(ctx, func(q querier) error {
		if db.d.name() == "postgres" {
			if _, err := q.exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
				return err
			}
		}
		_, err := q.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
		return err
	})
}

func currentVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// applyOne runs one migration unless another node got there first.
func (db *DB) applyOne(ctx context.Context, m migration) (bool, error) {
	applied := false
	err := db.d.tx(ctx, func(q querier) error {
		if db.d.name() == "postgres" {
			if _, err := q.exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
				return err
			}
		}
		cur, err := currentVersion(ctx, q)
		if err != nil || cur >= m.version {
			return err
		}
		if _, err := q.exec(ctx, m.sql); err != nil {
			return err
		}
		_, err = q.exec(ctx, `INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.description, time.Now().UnixMilli())
		applied = err == nil
		return err
	})
	return applied, err
}

// ErrNotReady: the store answers but its schema is behind this binary.
var ErrNotReady = errors.New("database migrations pending")

// Ready checks, reading only, that the store answers and its schema is
// the newest this binary knows (for /readyz; it takes no write lock).
func (db *DB) Ready(ctx context.Context) error {
	ms, err := loadMigrations(db.d.name())
	if err != nil {
		return err
	}
	cur, err := currentVersion(ctx, db.d)
	if err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if known := ms[len(ms)-1].version; cur < known {
		return fmt.Errorf("%w: schema at %d of %d", ErrNotReady, cur, known)
	}
	return nil
}
