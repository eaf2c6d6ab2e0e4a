package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/demnet-uk/listserv/listserv/admin"
)

// memberSet changes one member through the same engine function the
// owners' web uses.
func memberSet(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("member set")
	role := f.String("role", "", "member, moderator or owner")
	mode := f.String("mode", "", "each, digest or nomail")
	name := f.String("name", "", "display name (\"\" clears it)")
	pos, err := f.parseExact(args, 2, "LIST and ADDRESS")
	if err != nil {
		return err
	}
	var c admin.MemberChange
	f.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "role":
			c.Role = role
		case "mode":
			c.Mode = mode
		case "name":
			c.Name = name
		}
	})
	if c.Role == nil && c.Mode == nil && c.Name == nil {
		return fmt.Errorf("%w: nothing to change: give --role, --mode or --name", errUsage)
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := admin.SetMember(ctx, db, l, pos[1], c, operatorName())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s on %s: role %s, mode %s, name \"%s\"\n", m.Address, l.Address, m.Role, m.Mode, safeText(m.Name))
	return nil
}

// listRm says what removing a list would take; with --yes it does it.
// Without --yes it exits 2: a script that forgot the flag must not read
// success when nothing was removed.
func listRm(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("list rm")
	yes := f.Bool("yes", false, "really remove")
	purge := f.Bool("purge", false, "delete the archive too (kept by default)")
	pos, err := f.parseExact(args, 1, "list ADDRESS")
	if err != nil {
		return err
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	archive := "the archive is kept (--purge deletes it)"
	if *purge {
		archive = "the archive is deleted"
	}
	if !*yes {
		fp, err := db.ListFootprint(ctx, l.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s has %d members, %d held items and %d archived posts (%s); %s\n",
			l.Address, fp.Members, fp.Held, fp.Posts, megabytes(fp.ArchiveBytes), archive)
		return fmt.Errorf("%w: nothing removed: add --yes to remove %s", errUsage, l.Address)
	}
	fp, err := admin.RemoveList(ctx, db, l, *purge, operatorName())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "removed %s: %d members, %d held items; %d archived posts (%s) %s\n",
		l.Address, fp.Members, fp.Held, fp.Posts, megabytes(fp.ArchiveBytes), map[bool]string{true: "deleted", false: "kept"}[*purge])
	return nil
}

func megabytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
