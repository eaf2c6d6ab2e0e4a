package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// The /me checkbox "Send me the weekly newsletter" is membership of the
// site's newsletter: ticking it joins (the session proves the address,
// as for any list joined from /me), clearing it leaves, and the box
// shows whether the person is a member, so leaving by the unsubscribe
// link or the list's row on /me clears it too. It stands for the site's
// only newsletter; with several, each is a list on /me like any other
// and the box only keeps the person's wish.

// siteNewsletter is the site's only newsletter, nil when there are none
// or several.
func (h *subs) siteNewsletter(ctx context.Context) (*store.List, error) {
	nls, err := h.newslettersList(ctx)
	if err != nil || len(nls) != 1 {
		return nil, err
	}
	return nls[0], nil
}

func memberOf(c *Caller, listID int64) *store.Member {
	for _, m := range c.Memberships {
		if m.ListID == listID {
			return m
		}
	}
	return nil
}

// newsletterChecked is what the box shows: membership when the site has
// one newsletter, else the kept wish.
func (h *subs) newsletterChecked(ctx context.Context, c *Caller, wish bool) (bool, error) {
	nl, err := h.siteNewsletter(ctx)
	if err != nil || nl == nil {
		return wish, err
	}
	return memberOf(c, nl.ID) != nil, nil
}

// syncNewsletter joins or leaves the site's newsletter as the box says;
// msg, when not "", is why it could not.
func (h *subs) syncNewsletter(r *http.Request, c *Caller, want bool) (msg string, err error) {
	nl, err := h.siteNewsletter(r.Context())
	if err != nil || nl == nil {
		return "", err
	}
	m := memberOf(c, nl.ID)
	switch {
	case want && m == nil:
		_, err = h.e.JoinSignedIn(r.Context(), nl, c.Address, clientIP(r))
		if errors.Is(err, subscribe.ErrInviteOnly) {
			return "The newsletter is by invitation only: ask its editors at " + nl.SubAddress("owner") + ".", nil
		}
	case !want && m != nil:
		_, err = h.e.Leave(r.Context(), m, "web", clientIP(r))
	}
	return "", err
}
