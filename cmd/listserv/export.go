package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/user"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/subscribe"
	"github.com/demnet-uk/listserv/listserv/token"
)

// memberExport writes a list's members as CSV (address,name,mode first,
// so the file imports elsewhere with `member import`).
func memberExport(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("member export")
	pos, err := f.parseExact(args, 1, "LIST")
	if err != nil {
		return err
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	w := bufio.NewWriter(stdout)
	if _, err := subscribe.ExportCSV(ctx, db, l.ID, w); err != nil {
		return err
	}
	return w.Flush()
}

// inviteMembers mails each imported address an invitation instead of
// adding it: nobody joins without confirming (double opt-in). The mail is
// queued in the database and sent by `listserv serve`.
func inviteMembers(ctx context.Context, db *sqldb.DB, l *store.List, ms []store.NewMember, base string, stdout io.Writer) error {
	secret, err := db.Secret(ctx)
	if err == nil {
		base, err = baseURL(ctx, db, base)
	}
	if err != nil {
		return err
	}
	e := subscribe.New(db, token.New(secret), nil, subscribe.Options{BaseURL: base})
	sent, skipped, err := e.InviteAll(ctx, l, ms, operatorName())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "invited %d to %s (%d already members or already invited); the invitations are sent by listserv serve\n",
		sent, l.Address, skipped)
	return nil
}

// operatorName is who the invitation and its evidence name as inviter.
func operatorName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	if h, err := os.Hostname(); err == nil {
		return "cli@" + h
	}
	return "cli"
}
