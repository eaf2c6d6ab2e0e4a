package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

func heldCmd(ctx context.Context, args []string, stdout io.Writer) error {
	verb, rest, err := sub(args, "held")
	if err != nil {
		return err
	}
	switch verb {
	case "ls":
		return heldLs(ctx, rest, stdout)
	case "approve":
		return heldAct(ctx, rest, stdout, moderation.Approve)
	case "reject":
		return heldAct(ctx, rest, stdout, moderation.Reject)
	case "discard":
		return heldAct(ctx, rest, stdout, moderation.Discard)
	}
	return fmt.Errorf("%w: unknown held command %q (ls, approve, reject, discard)", errUsage, verb)
}

// heldJSON is the stable --json shape of a held item.
type heldJSON struct {
	ID      int64     `json:"id"`
	List    string    `json:"list"`
	Kind    string    `json:"kind"`
	From    string    `json:"from"`
	Subject string    `json:"subject"`
	Reason  string    `json:"reason"`
	Size    int64     `json:"size"`
	Held    time.Time `json:"held_at"`
}

func heldLs(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("held ls")
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var listID int64
	if len(pos) > 0 {
		l, err := getList(ctx, db, pos[0])
		if err != nil {
			return err
		}
		listID = l.ID
	}
	hs, err := db.ListHeld(ctx, listID)
	if err != nil {
		return err
	}
	out := make([]heldJSON, 0, len(hs))
	for _, h := range hs {
		out = append(out, heldJSON{h.ID, h.ListAddress, h.Kind, h.From, h.Subject, h.Reason, h.Size, h.Created.UTC()})
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	tb := newTable(stdout, "ID", "LIST", "FROM", "SUBJECT", "REASON")
	for _, h := range out {
		tb.row(h.ID, h.List, h.From, h.Subject, h.Reason)
	}
	return tb.flush()
}

// heldAct goes through moderation.Act, the one function the web pages and
// moderators' email replies use too: same checks, notices and audit.
func heldAct(ctx context.Context, args []string, stdout io.Writer, action moderation.Action) error {
	f := newFlags("held " + string(action))
	reason := f.String("reason", "", "reason told to the author (reject)")
	pos, err := f.parseExact(args, 1, "ID")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("%w: ID must be a number, not %q", admin.ErrInvalid, pos[0])
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	out, err := moderation.Act(ctx, db, id, action, operatorName(), *reason)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: no held item %d (see listserv held ls)", admin.ErrInvalid, id)
	}
	if err != nil {
		return err
	}
	h := out.Held
	if !out.Done {
		return fmt.Errorf("held %d was already %s by %s at %s", id, h.State, h.HandledBy, h.HandledAt.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "%s held %d (%s to %s)\n", h.State, h.ID, safeText(h.Subject), h.ListAddress)
	return nil
}
