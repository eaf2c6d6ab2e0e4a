package main

import (
	"context"
	"fmt"
	"io"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/signin"
)

// loginLink prints a single-use sign-in URL for operators and scripts.
func loginLink(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("login-link")
	base := f.str("base-url", "LISTSERV_BASE_URL", "http://127.0.0.1:8080", "public URL of the web UI")
	next := f.String("next", "/", "page to open after signing in, e.g. /moderate")
	pos, err := f.parseExact(args, 1, "ADDRESS")
	if err != nil {
		return err
	}
	addr, err := admin.CheckAddress(pos[0])
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	// The same engine as the web form, without its limits: the operator
	// is trusted, and the link is printed, not mailed.
	u, err := signin.New(db, nil, signin.Options{BaseURL: *base}).IssueLink(ctx, addr, *next)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, u)
	return nil
}
