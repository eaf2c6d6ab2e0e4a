package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// flagSet is a FlagSet whose flags default to environment variables and
// may come before, between or after positional arguments.
type flagSet struct {
	*flag.FlagSet
	data, db *string
}

func newFlags(name string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &flagSet{FlagSet: fs}
	f.data = f.str("data", "LISTSERV_DATA", "./listserv-data", "data directory")
	f.db = f.str("db", "LISTSERV_DB", "", "database: a postgres:// URL, or a SQLite file (default DATA/listserv.db)")
	return f
}

// str declares a string flag whose default comes from env when set.
func (f *flagSet) str(name, env, def, help string) *string {
	if v, ok := os.LookupEnv(env); ok {
		def = v
	}
	return f.String(name, def, help+" ($"+env+")")
}

// parse accepts flags anywhere and returns the positional arguments.
func (f *flagSet) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if err == flag.ErrHelp {
				f.SetOutput(os.Stdout)
				f.PrintDefaults()
				return nil, fmt.Errorf("%w", errUsage)
			}
			return nil, fmt.Errorf("%w: %s: %v", errUsage, f.Name(), err)
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (f *flagSet) dbURL() string {
	if *f.db != "" {
		return *f.db
	}
	return filepath.Join(*f.data, "listserv.db")
}

// open opens (and migrates) the store.
func (f *flagSet) open(ctx context.Context) (*sqldb.DB, error) {
	return sqldb.Open(ctx, f.dbURL())
}

func need(pos []string, n int, what string) error {
	if len(pos) < n {
		return fmt.Errorf("%w: missing %s", errUsage, what)
	}
	return nil
}

// parseN parses and requires at least n positional arguments.
func (f *flagSet) parseN(args []string, n int, what string) ([]string, error) {
	pos, err := f.parse(args)
	if err != nil {
		return nil, err
	}
	return pos, need(pos, n, what)
}

// parseExact parses and requires exactly n positional arguments, so a
// stray word (an unquoted name, a second id) is an error, not ignored.
func (f *flagSet) parseExact(args []string, n int, what string) ([]string, error) {
	pos, err := f.parseN(args, n, what)
	if err == nil && len(pos) > n {
		err = fmt.Errorf("%w: unexpected %q after %s (quote values that contain spaces)", errUsage, pos[n], what)
	}
	return pos, err
}

// openList opens the store and finds a list; the caller closes the store.
func (f *flagSet) openList(ctx context.Context, address string) (*sqldb.DB, *store.List, error) {
	db, err := f.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	l, err := db.GetList(ctx, address)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, l, nil
}
