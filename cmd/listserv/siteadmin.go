package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
)

// adminCmd runs `listserv admin add|rm|ls`: the site administrators, who
// create and remove lists on the web and set the site's name,
// introduction and contact address.
func adminCmd(ctx context.Context, args []string, stdout io.Writer) error {
	verb, rest, err := sub(args, "admin")
	if err != nil {
		return err
	}
	switch verb {
	case "add", "rm":
		return adminChange(ctx, verb, rest, stdout)
	case "ls":
		return adminLs(ctx, rest, stdout)
	}
	return fmt.Errorf("%w: unknown admin command %q (add, rm, ls)", errUsage, verb)
}

func adminChange(ctx context.Context, verb string, args []string, stdout io.Writer) error {
	f := newFlags("admin " + verb)
	pos, err := f.parseN(args, 1, "at least one ADDRESS")
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, a := range pos {
		if verb == "add" {
			err = admin.AddAdmin(ctx, db, a, operatorName())
		} else {
			err = admin.RemoveAdmin(ctx, db, a, operatorName())
		}
		if errors.Is(err, store.ErrExists) {
			fmt.Fprintf(stdout, "%s is a site administrator already\n", a)
			continue
		}
		if err != nil {
			return err
		}
		if verb == "add" {
			fmt.Fprintf(stdout, "%s is now a site administrator (sign in with: listserv login-link %s)\n", a, a)
		} else {
			fmt.Fprintf(stdout, "%s is no longer a site administrator\n", a)
		}
	}
	return nil
}

// adminJSON is the stable --json shape of a site administrator.
type adminJSON struct {
	Address string `json:"address"`
	AddedBy string `json:"added_by"`
	Added   string `json:"added"`
}

func adminLs(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("admin ls")
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args); err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	as, err := db.ListSiteAdmins(ctx)
	if err != nil {
		return err
	}
	out := make([]adminJSON, 0, len(as))
	for _, a := range as {
		out = append(out, adminJSON{a.Address, a.AddedBy, a.Added.UTC().Format("2006-01-02T15:04:05Z")})
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	tb := newTable(stdout, "ADDRESS", "ADDED BY", "ADDED")
	for _, a := range out {
		tb.row(a.Address, a.AddedBy, a.Added)
	}
	return tb.flush()
}
