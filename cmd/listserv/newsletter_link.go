package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// newsletterLink names the newsletter a discussion list's #event,
// #research, #ask and #offer posts are proposed to. Without it they go to
// the site's only newsletter (and nowhere when there are several).
func newsletterLink(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("newsletter link")
	pos, err := f.parseExact(args, 2, "newsletter link LIST NEWSLETTER")
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := db.GetList(ctx, pos[0])
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: no list %s", admin.ErrInvalid, pos[0])
	} else if err != nil {
		return err
	}
	nl, err := db.GetList(ctx, pos[1])
	if errors.Is(err, store.ErrNotFound) || err == nil && nl.Kind != store.KindNewsletter {
		return fmt.Errorf("%w: %s is not a newsletter", admin.ErrInvalid, pos[1])
	} else if err != nil {
		return err
	}
	if err := db.SetSetting(ctx, newsletter.SettingNewsletterFor+l.Address, nl.Address); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tagged posts to %s are proposed to %s\n", l.Address, nl.Address)
	return nil
}
