package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ErrBackupPostgres: PostgreSQL is backed up with its own tools.
var ErrBackupPostgres = errors.New("listserv backup is for SQLite; back up PostgreSQL with pg_dump (see the README)")

// Backup writes a consistent copy of the SQLite database to path while
// others keep writing: VACUUM INTO reads one snapshot in one read
// transaction (WAL lets writers go on), and writes a compact file that
// needs no -wal beside it. path must not exist.
func (db *DB) Backup(ctx context.Context, path string) error {
	s, ok := db.d.(*sqliteDB)
	if !ok {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s: %w: choose a new file name", path, store.ErrExists)
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	return nil
}
