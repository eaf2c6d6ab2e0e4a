package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// backup copies the SQLite store to FILE while serve runs.
func backup(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("backup")
	pos, err := f.parseExact(args, 1, "FILE")
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Backup(ctx, pos[0]); err != nil {
		if errors.Is(err, sqldb.ErrBackupPostgres) || errors.Is(err, store.ErrExists) {
			return fmt.Errorf("%w: %w", admin.ErrInvalid, err)
		}
		return err
	}
	fi, err := os.Stat(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%s) in %.1fs\n", f.dbURL(), pos[0], megabytes(fi.Size()), time.Since(start).Seconds())
	return nil
}

// restore puts a backup in place of the SQLite store, refusing while a
// serve holds the data directory. The store it replaces is kept beside
// it, renamed.
func restore(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("restore")
	pos, err := f.parseExact(args, 1, "FILE")
	if err != nil {
		return err
	}
	target, err := sqldb.SQLitePath(f.dbURL())
	if err != nil {
		return err
	}
	if target == "" {
		return fmt.Errorf("%w: listserv restore is for SQLite; restore PostgreSQL with pg_restore (see the README)", admin.ErrInvalid)
	}
	if err := checkBackup(ctx, pos[0]); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return err
	}
	lock, err := lockData(target, true)
	if err != nil {
		return err
	}
	defer lock.Close()
	kept, err := setAside(target)
	if err != nil {
		return err
	}
	if err := copyFile(pos[0], target); err != nil {
		return err
	}
	msg := fmt.Sprintf("restored %s to %s", pos[0], target)
	if kept != "" {
		msg += "; the store it replaced is " + kept
	}
	fmt.Fprintln(stdout, msg)
	return nil
}

// checkBackup refuses a file that is not a listserv SQLite store.
func checkBackup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%w: %v", admin.ErrInvalid, err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("%w: %s is not a listserv SQLite backup (%v)", admin.ErrInvalid, path, err)
	}
	return nil
}

// setAside renames the current store and its WAL files out of the way.
func setAside(target string) (string, error) {
	if _, err := os.Stat(target); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	kept := target + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
	if err := os.Rename(target, kept); err != nil {
		return "", err
	}
	for _, ext := range []string{"-wal", "-shm"} {
		if err := os.Rename(target+ext, kept+ext); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	return kept, nil
}

// copyFile writes src to dst through a synced temporary file.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".restoring"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}
