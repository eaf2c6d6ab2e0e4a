package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Limits on what a site administrator types.
const (
	maxSiteName  = 80
	maxSiteIntro = 4000
)

// AddAdmin names a site administrator (`listserv admin add`), audited
// site-wide. Adding one twice is a state error (store.ErrExists).
func AddAdmin(ctx context.Context, st OwnerStore, address, by string) error {
	a, err := CheckAddress(address)
	if err != nil {
		return err
	}
	err = st.AddSiteAdmin(ctx, a, &store.Audit{Actor: by, Action: "add site admin", Target: a,
		Detail: by + " made " + a + " a site administrator"})
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("%s is already a site administrator: %w", a, store.ErrExists)
	}
	return err
}

// RemoveAdmin (`listserv admin rm`); a missing one is bad input.
func RemoveAdmin(ctx context.Context, st OwnerStore, address, by string) error {
	a := strings.TrimSpace(address)
	err := st.RemoveSiteAdmin(ctx, a, &store.Audit{Actor: by, Action: "remove site admin", Target: a,
		Detail: by + " removed " + a + " from the site administrators"})
	if errors.Is(err, store.ErrNotFound) {
		return invalid("%s is not a site administrator", clip(a))
	}
	return err
}

// CreateList checks and creates a list, audited site-wide (the web's
// "new list"; `list create` checks with CheckList alike).
func CreateList(ctx context.Context, st OwnerStore, l *store.List, by string) error {
	l.Address = strings.ToLower(strings.TrimSpace(l.Address))
	if err := CheckList(l); err != nil {
		return err
	}
	err := st.CreateListAudited(ctx, l, &store.Audit{Actor: by, Action: "create list", Target: l.Address,
		Detail: by + " created " + l.Address})
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("there is already a list at %s: %w", l.Address, store.ErrExists)
	}
	return err
}

// SaveSite checks and stores the site's name, introduction and contact
// address ("" keeps the built-in default), audited site-wide.
func SaveSite(ctx context.Context, st OwnerStore, s *store.Site, by string) error {
	s.Name, s.Intro, s.Contact = strings.TrimSpace(s.Name), strings.TrimSpace(s.Intro), strings.TrimSpace(s.Contact)
	if utf8.RuneCountInString(s.Name) > maxSiteName || strings.ContainsAny(s.Name, "\r\n") {
		return invalid("the site name is one line of at most %d characters", maxSiteName)
	}
	if utf8.RuneCountInString(s.Intro) > maxSiteIntro {
		return invalid("the introduction is longer than %d characters", maxSiteIntro)
	}
	if s.Contact != "" {
		if _, err := CheckAddress(s.Contact); err != nil {
			return err
		}
	}
	return st.SaveSite(ctx, s, &store.Audit{Actor: by, Action: "site settings", Target: "site",
		Detail: fmt.Sprintf("%s set the site name to %s, the contact address to %s and the introduction (%d characters)",
			by, quoteSetting(s.Name), quoteSetting(s.Contact), utf8.RuneCountInString(s.Intro))})
}
