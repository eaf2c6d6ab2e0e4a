package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/demnet-uk/listserv/listserv/admin"

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

// open opens (and migrates) an existing store. Only serve and migrate
// create one: an operator command run in the wrong directory must not
// leave an empty store behind and report "no lists".
func (f *flagSet) open(ctx context.Context) (*sqldb.DB, error) {
	db, err := sqldb.OpenExisting(ctx, f.dbURL())
	if errors.Is(err, sqldb.ErrNoDatabase) {
		return nil, fmt.Errorf("%w (looked there because of %s); create one with \"listserv migrate\" or \"listserv serve\", or point to yours with --data DIR or --db URL", err, f.source())
	}
	return db, err
}

// create opens the store, making it when it does not exist (serve, migrate).
func (f *flagSet) create(ctx context.Context) (*sqldb.DB, error) {
	return sqldb.Open(ctx, f.dbURL())
}

// source says which setting chose the store, for "where I looked".
func (f *flagSet) source() string {
	name := "db"
	if *f.db == "" {
		name = "data"
	}
	set := false
	f.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	switch {
	case set:
		return "--" + name
	case os.Getenv("LISTSERV_"+strings.ToUpper(name)) != "":
		return "LISTSERV_" + strings.ToUpper(name)
	}
	return "the default --data " + *f.data
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
	l, err := getList(ctx, db, address)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, l, nil
}

// getList finds a list, saying so in words when there is none.
func getList(ctx context.Context, db *sqldb.DB, address string) (*store.List, error) {
	l, err := db.GetList(ctx, address)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: no list %s (\"listserv list ls\" shows them)", admin.ErrInvalid, address)
	}
	return l, err
}
