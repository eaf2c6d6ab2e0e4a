package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// moderationCmd runs `listserv moderation set` and `listserv sender
// add|ls|rm`: a list's moderation settings and its sender rules.
func moderationCmd(ctx context.Context, cmd string, args []string, stdout io.Writer) error {
	verb, rest, err := sub(args, cmd)
	if err != nil {
		return err
	}
	switch cmd + " " + verb {
	case "moderation set":
		return moderationSet(ctx, rest, stdout)
	case "sender add":
		return senderAdd(ctx, rest, stdout)
	case "sender ls":
		return senderLs(ctx, rest, stdout)
	case "sender rm":
		return senderRm(ctx, rest, stdout)
	}
	if cmd == "moderation" {
		return fmt.Errorf("%w: unknown moderation command %q (set)", errUsage, verb)
	}
	return fmt.Errorf("%w: unknown sender command %q (add, ls, rm)", errUsage, verb)
}

// invalidErr makes the moderation package's bad-input errors exit 2 like
// the other commands' (admin.ErrInvalid); other errors pass unchanged.
func invalidErr(err error) error {
	if errors.Is(err, moderation.ErrInvalid) {
		return fmt.Errorf("%w: %v", admin.ErrInvalid, err)
	}
	return err
}

// moderationSet changes the settings given as flags and prints them all.
func moderationSet(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("moderation set")
	newPosts := f.Int("new-member-posts", 0, "hold a new member's posts until this many were approved (0: off)")
	maxRcpt := f.Int("max-recipients", 0, "hold posts with more To and Cc addresses (0: no limit)")
	types := f.String("accept-types", "", `MIME types the list accepts, e.g. "text/*,image/*" ("": all)`)
	holdDays := f.Int("hold-days", 0, "held posts expire after this many days (0: never)")
	pos, err := f.parseN(args, 1, "LIST")
	if err != nil {
		return err
	}
	// Only the flags given change; the others keep the list's values.
	var c moderation.Change
	f.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "new-member-posts":
			c.NewMemberPosts = newPosts
		case "max-recipients":
			c.MaxRecipients = maxRcpt
		case "accept-types":
			c.AcceptTypes = types
		case "hold-days":
			c.HoldDays = holdDays
		}
	})
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	var s *store.ListModeration
	if c == (moderation.Change{}) {
		s, err = db.ModerationSettings(ctx, l.ID)
	} else {
		s, err = moderation.UpdateSettings(ctx, db, l.ID, c, operatorName())
	}
	if err != nil {
		return invalidErr(err)
	}
	accept := s.AcceptTypes
	if accept == "" {
		accept = "(all)"
	}
	fmt.Fprintf(stdout, "%s: new-member-posts %d, max-recipients %d, accept-types %s, hold-days %d\n",
		l.Address, s.NewMemberPosts, s.MaxRecipients, accept, s.HoldDays)
	return nil
}

func senderAdd(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("sender add")
	action := f.String("action", "", "accept, hold, reject or discard")
	pos, err := f.parseN(args, 2, "LIST and PATTERN (an address or *@domain)")
	if err != nil {
		return err
	}
	if _, err := moderation.CheckPattern(pos[1]); err != nil {
		return invalidErr(err)
	}
	if err := moderation.CheckRuleAction(*action); err != nil {
		return invalidErr(err)
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := moderation.SetRule(ctx, db, l.ID, pos[1], *action, operatorName())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s posts from %s\n", l.Address, r.Action, r.Pattern)
	return nil
}

// senderJSON is the stable --json shape of a sender rule.
type senderJSON struct {
	Pattern string    `json:"pattern"`
	Action  string    `json:"action"`
	By      string    `json:"by"`
	Created time.Time `json:"created"`
}

func senderLs(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("sender ls")
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parseN(args, 1, "LIST")
	if err != nil {
		return err
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	rs, err := db.SenderRules(ctx, l.ID)
	if err != nil {
		return err
	}
	out := make([]senderJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, senderJSON{r.Pattern, r.Action, r.By, r.Created.UTC()})
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	tb := newTable(stdout, "PATTERN", "ACTION", "BY")
	for _, r := range out {
		tb.row(r.Pattern, r.Action, r.By)
	}
	return tb.flush()
}

func senderRm(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("sender rm")
	pos, err := f.parseN(args, 2, "LIST and PATTERN")
	if err != nil {
		return err
	}
	p, err := moderation.CheckPattern(pos[1])
	if err != nil {
		return invalidErr(err)
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RemoveSenderRule(ctx, l.ID, p, operatorName()); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s has no rule for %s", l.Address, p)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: removed the rule for %s\n", l.Address, p)
	return nil
}
