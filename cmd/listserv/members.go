package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
)

func memberCmd(ctx context.Context, args []string, stdout io.Writer) error {
	verb, rest, err := sub(args, "member")
	if err != nil {
		return err
	}
	switch verb {
	case "add":
		return memberAdd(ctx, rest, stdout)
	case "rm":
		return memberRm(ctx, rest, stdout)
	case "ls":
		return memberLs(ctx, rest, stdout)
	case "import":
		return memberImport(ctx, rest, stdout)
	case "export":
		return memberExport(ctx, rest, stdout)
	case "set":
		return memberSet(ctx, rest, stdout)
	case "enable":
		return memberEnable(ctx, rest, stdout)
	}
	return fmt.Errorf("%w: unknown member command %q (add, set, rm, enable, ls, import, export)", errUsage, verb)
}

func memberAdd(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("member add")
	role := f.String("role", "member", "member, moderator or owner")
	mode := f.String("mode", "each", "each, digest or nomail")
	name := f.String("name", "", "display name")
	pos, err := f.parseN(args, 2, "LIST and at least one ADDRESS")
	if err != nil {
		return err
	}
	ms := make([]store.NewMember, 0, len(pos)-1)
	for _, a := range pos[1:] {
		m := store.NewMember{Address: a, Name: *name, Role: *role, Mode: *mode, Source: "operator"}
		if err := admin.CheckMember(&m); err != nil {
			return err
		}
		ms = append(ms, m)
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	added, skipped, err := admin.AddMembers(ctx, db, l, ms, operatorName())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %d to %s (%d already members)\n", added, l.Address, skipped)
	return nil
}

func memberRm(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("member rm")
	pos, err := f.parseN(args, 2, "LIST and at least one ADDRESS")
	if err != nil {
		return err
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	// The same function as the owners' members page: each departure keeps
	// its evidence (how operator, naming the operator) and an audit entry.
	n := 0
	for _, a := range pos[1:] {
		_, err := admin.RemoveMember(ctx, db, l, a, "operator", operatorName())
		if errors.Is(err, admin.ErrInvalid) {
			continue
		}
		if err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(stdout, "removed %d from %s\n", n, l.Address)
	if n < len(pos)-1 {
		return fmt.Errorf("%d of the addresses were not members", len(pos)-1-n)
	}
	return nil
}

// memberEnable turns delivery back on for members bounces disabled.
func memberEnable(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("member enable")
	pos, err := f.parseN(args, 2, "LIST and at least one ADDRESS")
	if err != nil {
		return err
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	for _, a := range pos[1:] {
		m, err := admin.EnableMember(ctx, db, l, a, operatorName())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: delivery to %s is on again (bounce score cleared)\n", l.Address, m.Address)
	}
	return nil
}

// memberJSON is the stable --json shape of a member.
type memberJSON struct {
	Address     string    `json:"address"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	Mode        string    `json:"mode"`
	Status      string    `json:"status"`
	BounceScore float64   `json:"bounce_score"`
	Source      string    `json:"source"`
	Joined      time.Time `json:"joined"`
}

func memberLs(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("member ls")
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parseExact(args, 1, "LIST")
	if err != nil {
		return err
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	out := []memberJSON{}
	for after := int64(0); ; {
		page, err := db.ListMembers(ctx, l.ID, after, 1000)
		if err != nil {
			return err
		}
		for _, m := range page {
			out = append(out, memberJSON{m.Address, m.Name, m.Role, m.Mode, m.Status, m.BounceScore, m.Source, m.Created.UTC()})
			after = m.ID
		}
		if len(page) < 1000 {
			break
		}
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	tb := newTable(stdout, "ADDRESS", "ROLE", "MODE", "STATUS", "NAME")
	for _, m := range out {
		tb.row(m.Address, m.Role, m.Mode, m.Status, m.Name)
	}
	return tb.flush()
}

func memberImport(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("member import")
	invite := f.Bool("invite", false, "mail invitations instead of adding; each person confirms")
	base := f.baseURLFlag("links in invitations")
	pos, err := f.parseExact(args, 2, "LIST and FILE.csv")
	if err != nil {
		return err
	}
	fh, err := os.Open(pos[1])
	if err != nil {
		return fmt.Errorf("%w: %v", admin.ErrInvalid, err)
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > admin.MaxImportBytes {
		return fmt.Errorf("%w: %s is %d MB, more than the %d MB an import takes; split it",
			admin.ErrInvalid, pos[1], fi.Size()>>20, admin.MaxImportBytes>>20)
	}
	start := time.Now()
	ms, err := admin.ReadMembersCSV(fh, "import")
	if err != nil {
		return err
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	if *invite {
		return inviteMembers(ctx, db, l, ms, *base, stdout)
	}
	added, skipped, err := admin.ImportMembers(ctx, db, l.ID, ms)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d into %s (%d already members) in %.2fs\n", added, l.Address, skipped, time.Since(start).Seconds())
	return nil
}
