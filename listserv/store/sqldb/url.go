package sqldb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

var (
	// ErrBadURL: a database URL in no form Open knows (a typo such as
	// postgress://, or another database such as mysql://).
	ErrBadURL = errors.New("unknown kind of database")
	// ErrNoDatabase: OpenExisting found no listserv store where it looked.
	ErrNoDatabase = errors.New("no listserv database")
)

// AcceptedForms names the database URLs Open accepts, for messages.
const AcceptedForms = "postgres://USER@HOST:PORT/DBNAME (or postgresql://) for PostgreSQL; " +
	"a file path, sqlite:PATH or file:PATH for SQLite"

// target is where a database URL points.
type target struct {
	postgres bool
	path     string // SQLite file
}

// parseURL sorts url into PostgreSQL or a SQLite path. Anything that looks
// like scheme://... with another scheme is refused rather than taken as a
// file name, which would quietly make an empty SQLite store in a folder
// called "postgress:".
func parseURL(u string) (target, error) {
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return target{postgres: true}, nil
	}
	if scheme, _, ok := strings.Cut(u, "://"); ok && scheme != "sqlite" && scheme != "file" {
		return target{}, fmt.Errorf("%w %q in %q: use %s", ErrBadURL, scheme, u, AcceptedForms)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return target{}, fmt.Errorf("%w: empty database path: use %s", ErrBadURL, AcceptedForms)
	}
	return target{path: path}, nil
}

// checkSchema refuses a PostgreSQL database that has no listserv tables,
// so an operator command cannot turn a mistyped database into a new store.
func checkSchema(ctx context.Context, d driver, u string) error {
	var ok bool
	if err := d.queryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&ok); err != nil {
		return fmt.Errorf("check the schema: %w", err)
	}
	if !ok {
		return fmt.Errorf("%w in PostgreSQL database %s (it has no listserv tables)", ErrNoDatabase, redact(u))
	}
	return nil
}

// redact hides a password in a URL shown to a person.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

// SQLitePath is the file a SQLite URL names, "" for PostgreSQL, or
// ErrBadURL.
func SQLitePath(u string) (string, error) {
	t, err := parseURL(u)
	return t.path, err
}
