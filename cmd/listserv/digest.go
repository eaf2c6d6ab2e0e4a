package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/demnet-uk/listserv/digest"
	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

func digestCmd(ctx context.Context, args []string, stdout io.Writer) error {
	verb, rest, err := sub(args, "digest")
	if err != nil {
		return err
	}
	if handled, err := newsletterDigest(ctx, verb, rest, stdout); handled {
		return err // a newsletter: its issue, not a digest
	}
	switch verb {
	case "send":
		return digestSend(ctx, rest, stdout)
	case "preview":
		return digestPreview(ctx, rest, stdout)
	}
	return fmt.Errorf("%w: unknown digest command %q (send, preview)", errUsage, verb)
}

// digestEngine opens the store and makes an engine on it: the same one
// serve runs, so the CLI claims and commits the same way.
func digestEngine(ctx context.Context, f *flagSet, list, base string, lease time.Duration) (*digest.Engine, *store.List, func(), error) {
	db, l, err := f.openList(ctx, list)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, fmt.Errorf("%w: no list %s", admin.ErrInvalid, list)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	secret, err := db.Secret(ctx)
	if err == nil {
		base, err = baseURL(ctx, db, base)
	}
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := digest.New(db, token.New(secret), digest.Config{Node: "cli-" + strconv.Itoa(os.Getpid()), BaseURL: base, Lease: lease}, log)
	return e, l, func() { db.Close() }, nil
}

// digestSend sends the list's due digests, or with --now every pending
// one; the server's delivery engine sends the queued mail.
func digestSend(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("digest send")
	now := f.Bool("now", false, "send every member's pending digest now, not only those due")
	base := f.str("base-url", "LISTSERV_BASE_URL", "http://127.0.0.1:8080", "public URL of the web UI, for links in digests")
	lease := f.Duration("lease", 2*time.Minute, "if this command dies, the members it was sending to wait this long before a server takes them over")
	pos, err := f.parseExact(args, 1, "LIST")
	if err != nil {
		return err
	}
	if *lease < time.Second {
		return fmt.Errorf("%w: --lease must be at least 1s, not %s", errUsage, *lease)
	}
	if path := os.Getenv("LISTSERV_CPUPROFILE"); path != "" {
		stop, err := startCPUProfile(path) // as serve does, for the benchmark
		if err != nil {
			return err
		}
		defer stop()
	}
	e, l, done, err := digestEngine(ctx, f, pos[0], *base, *lease)
	if err != nil {
		return err
	}
	defer done()
	var n int
	if *now {
		n, err = e.SendNow(ctx, l)
	} else {
		n, err = e.SendDue(ctx)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "queued %d digest mails for %s\n", n, l.Address)
	return nil
}

// digestPreview prints what a member (or a new daily member) would get.
func digestPreview(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("digest preview")
	member := f.String("member", "", "show this member's pending digest, in their format")
	format := f.String("format", "", "plain, mime, html or summary (default: the member's)")
	base := f.str("base-url", "LISTSERV_BASE_URL", "http://127.0.0.1:8080", "public URL of the web UI, for links in digests")
	pos, err := f.parseExact(args, 1, "LIST")
	if err != nil {
		return err
	}
	switch *format {
	case "", store.DigestPlain, store.DigestMIME, store.DigestHTML, store.DigestSummary:
	default:
		return fmt.Errorf("%w: --format must be plain, mime, html or summary, not %q", errUsage, *format)
	}
	e, l, done, err := digestEngine(ctx, f, pos[0], *base, 0)
	if err != nil {
		return err
	}
	defer done()
	out, err := e.Preview(ctx, l, *member, *format)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s is not a member of %s", admin.ErrInvalid, *member, l.Address)
	}
	if errors.Is(err, digest.ErrNoPosts) {
		fmt.Fprintln(stdout, "nothing to send: no posts since the last digest")
		return nil
	}
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}
