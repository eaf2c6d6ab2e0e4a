package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
)

func listCmd(ctx context.Context, args []string, stdout io.Writer) error {
	verb, rest, err := sub(args, "list")
	if err != nil {
		return err
	}
	switch verb {
	case "create":
		return listCreate(ctx, rest, stdout)
	case "ls":
		return listLs(ctx, rest, stdout)
	case "set":
		return listSet(ctx, rest, stdout)
	case "rm":
		return listRm(ctx, rest, stdout)
	}
	return fmt.Errorf("%w: unknown list command %q (create, ls, set, rm)", errUsage, verb)
}

func listCreate(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("list create")
	l := &store.List{}
	f.StringVar(&l.Name, "name", "", "display name")
	f.StringVar(&l.Description, "description", "", "one-line description")
	f.StringVar(&l.Policy, "policy", "members", "open, members, moderated or announce")
	f.StringVar(&l.Archive, "archive", "public", "public, members or off")
	f.StringVar(&l.SubjectPrefix, "subject-prefix", "", "e.g. [team]")
	f.StringVar(&l.ReplyTo, "reply-to", "list", "list or author")
	pos, err := f.parseExact(args, 1, "list ADDRESS")
	if err != nil {
		return err
	}
	l.Address = pos[0]
	if err := admin.CheckList(l); err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateList(ctx, l); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (List-Id <%s>, policy %s)\n", l.Address, l.ListID(), l.Policy)
	return nil
}

// listJSON is the stable --json shape of a list.
type listJSON struct {
	Address       string         `json:"address"`
	ListID        string         `json:"list_id"`
	Name          string         `json:"name"`
	Description   string         `json:"description"`
	Policy        string         `json:"policy"`
	Archive       string         `json:"archive"`
	SubjectPrefix string         `json:"subject_prefix"`
	ReplyTo       string         `json:"reply_to"`
	MaxSize       int64          `json:"max_size"`
	Members       int64          `json:"members"`
	Digest        listDigestJSON `json:"digest"`
	Footer        string         `json:"footer"`
}

// listDigestJSON is a list's digest defaults and when its last digest
// went out (null: never).
type listDigestJSON struct {
	Hour     int        `json:"hour"`
	Weekday  string     `json:"weekday"`
	MaxPosts int        `json:"max_posts"` // 0: the server's default (40)
	MaxBytes int64      `json:"max_bytes"` // 0: the server's default (1 MB)
	LastSent *time.Time `json:"last_sent"`
}

func digestJSON(d *store.ListDigest) listDigestJSON {
	out := listDigestJSON{Hour: d.Hour, Weekday: strings.ToLower(d.Weekday.String()), MaxPosts: d.MaxPosts, MaxBytes: d.MaxBytes}
	if !d.LastSent.IsZero() {
		t := d.LastSent.UTC()
		out.LastSent = &t
	}
	return out
}

func listLs(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("list ls")
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args); err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ls, err := db.AllLists(ctx)
	if err != nil {
		return err
	}
	out := make([]listJSON, 0, len(ls))
	for _, l := range ls {
		n, err := db.CountMembers(ctx, l.ID)
		if err != nil {
			return err
		}
		ld, err := db.GetListDigest(ctx, l.ID)
		if err != nil {
			return err
		}
		out = append(out, listJSON{l.Address, l.ListID(), l.Name, l.Description, l.Policy, l.Archive, l.SubjectPrefix, l.ReplyTo, l.MaxSize, n, digestJSON(ld), l.Footer})
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	tb := newTable(stdout, "ADDRESS", "POLICY", "MEMBERS", "LAST DIGEST", "NAME")
	for _, l := range out {
		last := "-"
		if l.Digest.LastSent != nil {
			last = l.Digest.LastSent.Format("2006-01-02 15:04Z")
		}
		tb.row(l.Address, l.Policy, l.Members, last, l.Name)
	}
	return tb.flush()
}

func listSet(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("list set")
	keys := append(append([]string{}, admin.ListKeys...), admin.ListDigestKeys...)
	vals := map[string]*string{}
	for _, k := range keys {
		vals[k] = f.String(k, "\x00", "set "+k)
	}
	fetchURL := f.String("fetch", "\x00", "read this hosted mailbox as a way in (imaps://user:pass@host/Mailbox), or \"\" to stop")
	pos, err := f.parseExact(args, 1, "list ADDRESS")
	if err != nil {
		return err
	}
	set := map[string]string{}
	for _, k := range keys {
		if v := *vals[k]; v != "\x00" {
			set[k] = v
		}
	}
	if len(set) == 0 && *fetchURL == "\x00" {
		return fmt.Errorf("%w: nothing to set; use --%s VALUE", errUsage, strings.Join(append(keys, "fetch"), " / --"))
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	if *fetchURL != "\x00" {
		// Checked before anything is saved.
		if err := checkListFetch(l, *fetchURL); err != nil {
			return err
		}
	}
	var changed []string
	if len(set) > 0 {
		// The same function as the owners' settings page: checked, audited.
		if changed, err = admin.UpdateList(ctx, db, l, set, operatorName()); err != nil {
			return err
		}
	}
	if *fetchURL != "\x00" {
		if err := db.SetListFetch(ctx, l.ID, *fetchURL); err != nil {
			return err
		}
		changed = append(changed, "fetch")
	}
	if len(changed) == 0 {
		fmt.Fprintf(stdout, "%s: nothing changed\n", l.Address)
		return nil
	}
	fmt.Fprintf(stdout, "updated %s: %s\n", l.Address, strings.Join(changed, ", "))
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
