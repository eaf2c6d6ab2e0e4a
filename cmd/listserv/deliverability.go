package main

import (
	"context"
	"fmt"
	"io"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
)

// deliverabilityCmd shows or sets a list's DMARC mitigation and bounce
// removal: listserv deliverability LIST [--dmarc munge|wrap|none]
// [--dmarc-always on|off] [--remove-after-warnings on|off].
func deliverabilityCmd(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("deliverability")
	action := f.String("dmarc", "", "munge (From: \"Ann via List\", author in Reply-To), wrap (post attached), or none")
	always := f.String("dmarc-always", "", "on: mitigate every post; off: only authors whose domain publishes p=reject or p=quarantine")
	remove := f.String("remove-after-warnings", "", "on: remove members still disabled by bounces after two weekly warnings")
	pos, err := f.parseExact(args, 1, "LIST")
	if err != nil {
		return err
	}
	db, l, err := f.openList(ctx, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := db.ListDeliverability(ctx, l.ID)
	if err != nil {
		return err
	}
	changed := *action != "" || *always != "" || *remove != ""
	switch *action {
	case "", store.DMARCMunge, store.DMARCWrap, store.DMARCNone:
		if *action != "" {
			d.DMARCAction = *action
		}
	default:
		return fmt.Errorf("%w: --dmarc %q: want munge, wrap or none", admin.ErrInvalid, *action)
	}
	for _, o := range []struct {
		name, v string
		dst     *bool
	}{{"dmarc-always", *always, &d.DMARCAlways}, {"remove-after-warnings", *remove, &d.RemoveAfterWarnings}} {
		if o.v == "" {
			continue
		}
		if *o.dst, err = onOff(o.name, o.v); err != nil {
			return err
		}
	}
	if changed {
		if err := db.SetListDeliverability(ctx, d); err != nil {
			return err
		}
	}
	when := "authors whose domain publishes p=reject or p=quarantine"
	if d.DMARCAlways {
		when = "every post"
	}
	fmt.Fprintf(stdout, "%s: DMARC mitigation %s for %s; remove after bounce warnings: %s\n",
		l.Address, d.DMARCAction, when, map[bool]string{true: "on", false: "off"}[d.RemoveAfterWarnings])
	return nil
}
