package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

type listView struct {
	listRow
	Posting, Joining, Archive, ArchiveURL string
	InviteOnly, IsMember, IsOwner         bool
	Email, Name, Error                    string
	Newsletter                            *newsletterInfo // set on a newsletter's page
}

// Plain-language policies for the list page.
var (
	postingWords = map[string]string{
		store.PolicyOpen:      "Anyone can write to the list.",
		store.PolicyMembers:   "Members can write to the list. Messages from anyone else are checked by a moderator first.",
		store.PolicyModerated: "Every message is checked by a moderator before it goes out.",
		store.PolicyAnnounce:  "Only the list's owners send messages; members receive them.",
	}
	joiningWords = map[string]string{
		store.JoinConfirm:  "Anyone can join. We email you a link to confirm that the address is yours.",
		store.JoinApproval: "Anyone can ask to join. After you confirm your address, the list's owners approve new members.",
		store.JoinInvite:   "By invitation only: the list's owners invite new members.",
	}
	archiveWords = map[string]string{
		"public":  "Past messages can be read by anyone.",
		"members": "Past messages can be read by members only.",
		"off":     "Past messages are not kept for reading on the web.",
	}
)

func (h *subs) listView(r *http.Request, l *store.List) (*listView, error) {
	ctx := r.Context()
	sums, err := h.st.ListSummaries(ctx, l.ID, time.Now().Add(-activityWindow))
	if err != nil {
		return nil, err
	}
	v := &listView{}
	for _, s := range sums {
		if s.List.ID == l.ID {
			v.listRow = summaryRow(s, time.Now())
		}
	}
	v.Posting, v.Joining, v.Archive = postingWords[l.Policy], joiningWords[v.Join], archiveWords[l.Archive]
	if l.Archive != "off" {
		v.ArchiveURL = "/lists/" + l.ListID() + "/archive"
	}
	v.InviteOnly = v.Join == store.JoinInvite
	if c := CallerOf(r); c != nil {
		v.IsMember, v.IsOwner, v.Email = c.Role(l.ID) != "", c.IsOwner(l.ID), c.Address
	}
	return v, nil
}

// listPage shows one list: what it is, its policies in plain words, and
// the subscribe form (which works without JavaScript).
func (h *subs) listPage(w http.ResponseWriter, r *http.Request) {
	l, ok := h.list(w, r)
	if !ok {
		return
	}
	v, err := h.listView(r, l)
	if err == nil {
		v.Newsletter, err = h.newsletterInfo(r, l)
	}
	if err != nil {
		h.oops(w, r, "list page", err)
		return
	}
	h.Render(w, r, http.StatusOK, "list", v)
}

// subscribe asks for a confirmation mail. The answer is the same whether
// or not the address is already on the list or was throttled.
func (h *subs) subscribe(w http.ResponseWriter, r *http.Request) {
	l, ok := h.list(w, r)
	if !ok {
		return
	}
	if !h.CheckCSRF(r) {
		h.FormExpired(w, r)
		return
	}
	v, err := h.listView(r, l)
	if err != nil {
		h.oops(w, r, "list page", err)
		return
	}
	v.Email, v.Name = strings.TrimSpace(r.PostFormValue("address")), strings.Join(strings.Fields(r.PostFormValue("name")), " ")
	addr, err := admin.CheckAddress(v.Email)
	if err != nil || len(v.Name) > 100 {
		v.Error = "Enter your email address, like name@example.org."
		if err == nil {
			v.Error = "Your name can be at most 100 characters."
		}
		h.Render(w, r, http.StatusUnprocessableEntity, "list", v)
		return
	}
	err = h.e.RequestJoin(r.Context(), l, subscribe.Request{Address: addr, Name: v.Name, How: "web",
		Origin: clientIP(r), ClientIP: clientIP(r)})
	switch {
	case errors.Is(err, subscribe.ErrInviteOnly):
		h.Error(w, r, http.StatusForbidden, "By invitation only", "This list's owners invite new members. Ask them at "+l.SubAddress("owner")+".")
	case errors.Is(err, subscribe.ErrTooMany):
		h.Error(w, r, http.StatusTooManyRequests, "Too many requests", "Many subscriptions were asked for from your connection in the last hour. Please try again later.")
	case err != nil:
		h.oops(w, r, "subscribe", err)
	default:
		h.Render(w, r, http.StatusOK, "subscribe_sent", map[string]any{"List": v, "Address": addr,
			"Days": int(h.e.TokenTTL().Hours() / 24)})
	}
}
