package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/demnet-uk/listserv/listserv/apppass"
	"github.com/demnet-uk/listserv/listserv/store"
)

// appPasswordCmd: "app-password ADDRESS [--name N]" prints a new app
// password; "app-password ls ADDRESS" and "app-password rm ADDRESS ID"
// list and revoke. The same engine as the /me page.
func appPasswordCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "ls":
			return appPasswordLs(ctx, args[1:], stdout)
		case "rm":
			return appPasswordRm(ctx, args[1:], stdout)
		}
	}
	f := newFlags("app-password")
	name := f.String("name", "", "what the password is for, e.g. \"laptop\" (default \"mail client\")")
	pos, err := f.parseExact(args, 1, "ADDRESS")
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, p, err := appPassEngine(db).Create(ctx, pos[0], *name, operatorName())
	if err != nil {
		return appPassErr(err)
	}
	fmt.Fprintf(stdout, "%s\n", secret)
	fmt.Fprintf(stderr, "app password %d (%s) for %s: shown once; sign in to IMAP with the address and this password\n",
		p.ID, safeText(p.Name), p.Address)
	return nil
}

func appPasswordLs(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("app-password ls")
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parseExact(args, 1, "ADDRESS")
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ps, err := appPassEngine(db).List(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			ID       int64  `json:"id"`
			Name     string `json:"name"`
			Created  string `json:"created"`
			LastUsed string `json:"last_used,omitempty"`
		}
		rows := make([]row, 0, len(ps))
		for _, p := range ps {
			rows = append(rows, row{p.ID, p.Name, p.Created.UTC().Format("2006-01-02T15:04:05Z"), lastUsed(p, "")})
		}
		return writeJSON(stdout, rows)
	}
	tb := newTable(stdout, "ID", "NAME", "CREATED", "LAST USED")
	for _, p := range ps {
		tb.row(p.ID, p.Name, p.Created.UTC().Format("2006-01-02 15:04Z"), lastUsed(p, "never"))
	}
	return tb.flush()
}

func lastUsed(p *store.AppPassword, never string) string {
	if p.LastUsed.IsZero() {
		return never
	}
	return p.LastUsed.UTC().Format("2006-01-02 15:04Z")
}

func appPasswordRm(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("app-password rm")
	pos, err := f.parseExact(args, 2, "ADDRESS ID")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[1], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("%w: ID must be a number from \"listserv app-password ls %s\", not %q", errUsage, pos[0], pos[1])
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	err = appPassEngine(db).Revoke(ctx, pos[0], id, operatorName())
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s has no app password %d", errUsage, pos[0], id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked app password %d of %s\n", id, store.NormalizeAddress(pos[0]))
	return nil
}

func appPassEngine(st apppass.Store) *apppass.Engine {
	return apppass.New(st, slog.New(slog.DiscardHandler))
}

// appPassErr makes invalid input exit 2.
func appPassErr(err error) error {
	if errors.Is(err, apppass.ErrInvalid) {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	return err
}
