package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
)

// maxInvites bounds one invitation form; larger lists of addresses go
// through `listserv member import --invite`.
const maxInvites = 100

type joiningView struct {
	ID, Title                     string
	Access                        *store.ListAccess
	Notice, Error, Invitees       string
	Visibilities, Joins, Erasures []choice
}

type choice struct{ Value, Label string }

// owner resolves {list} for its owners only.
func (h *subs) owner(w http.ResponseWriter, r *http.Request) (*store.List, *Caller, bool) {
	c, ok := h.requireCaller(w, r)
	if !ok {
		return nil, nil, false
	}
	l, ok := h.list(w, r)
	if !ok {
		return nil, nil, false
	}
	if !c.IsOwner(l.ID) {
		h.Error(w, r, http.StatusForbidden, "Owners only", "Only the owners of this list can change how people join it.")
		return nil, nil, false
	}
	return l, c, true
}

func (h *subs) renderJoining(w http.ResponseWriter, r *http.Request, l *store.List, status int, v joiningView) {
	if v.Access == nil {
		a, err := h.st.GetListAccess(r.Context(), l.ID)
		if err != nil {
			h.oops(w, r, "list access", err)
			return
		}
		v.Access = a
	}
	v.ID, v.Title = l.ListID(), l.Name
	if v.Title == "" {
		v.Title = l.Address
	}
	v.Visibilities = []choice{{store.VisibilityPublic, "Public: shown on the home page and offered to members"}, {store.VisibilityHidden, "Unlisted: only people with its address find it"}}
	v.Joins = []choice{{store.JoinConfirm, "Anyone can join after confirming their address"}, {store.JoinApproval, "Anyone can ask; owners approve after the address is confirmed"}, {store.JoinInvite, "By invitation only"}}
	v.Erasures = []choice{{store.ErasureAnonymise, "Show a deleted account's messages as from \"former member\""}, {store.ErasureKeep, "Keep messages as they were sent"}}
	h.Render(w, r, status, "list_joining", v)
}

func (h *subs) joiningPage(w http.ResponseWriter, r *http.Request) {
	if l, _, ok := h.owner(w, r); ok {
		h.renderJoining(w, r, l, http.StatusOK, joiningView{Notice: map[string]string{"saved": "Saved: the new rules apply from now on."}[r.URL.Query().Get("done")]})
	}
}

func in(v string, cs ...string) bool {
	for _, c := range cs {
		if v == c {
			return true
		}
	}
	return false
}

func (h *subs) saveJoining(w http.ResponseWriter, r *http.Request) {
	l, c, ok := h.owner(w, r)
	if !ok {
		return
	}
	if !h.CheckCSRF(r) {
		h.FormExpired(w, r)
		return
	}
	a := &store.ListAccess{ListID: l.ID, Visibility: r.PostFormValue("visibility"), Join: r.PostFormValue("join"), Erasure: r.PostFormValue("erasure")}
	if !in(a.Visibility, store.VisibilityPublic, store.VisibilityHidden) || !in(a.Join, store.JoinConfirm, store.JoinApproval, store.JoinInvite) ||
		!in(a.Erasure, store.ErasureAnonymise, store.ErasureKeep) {
		h.renderJoining(w, r, l, http.StatusUnprocessableEntity, joiningView{Error: "Choose one option in each group."})
		return
	}
	if err := h.e.SetAccess(r.Context(), a, c.Address); err != nil {
		h.oops(w, r, "set list access", err)
		return
	}
	http.Redirect(w, r, "/lists/"+l.ListID()+"/joining?done=saved#notice", http.StatusSeeOther)
}

// invite mails an invitation to each address (one a line or separated by
// commas); addresses already on the list or already invited are skipped.
func (h *subs) invite(w http.ResponseWriter, r *http.Request) {
	l, c, ok := h.owner(w, r)
	if !ok {
		return
	}
	if !h.CheckCSRF(r) {
		h.FormExpired(w, r)
		return
	}
	raw := r.PostFormValue("addresses")
	fields := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' || r == '\t' })
	var addrs []string
	for _, f := range fields {
		a, err := admin.CheckAddress(f)
		if err != nil {
			h.renderJoining(w, r, l, http.StatusUnprocessableEntity, joiningView{Invitees: raw,
				Error: "\"" + f + "\" is not an email address. Nobody was invited; correct it and try again."})
			return
		}
		addrs = append(addrs, a)
	}
	if len(addrs) == 0 || len(addrs) > maxInvites {
		h.renderJoining(w, r, l, http.StatusUnprocessableEntity, joiningView{Invitees: raw,
			Error: "Enter between 1 and " + strconv.Itoa(maxInvites) + " email addresses."})
		return
	}
	sent, err := h.e.InviteMany(r.Context(), l, addrs, c.Address)
	if err != nil {
		h.oops(w, r, "invite", err)
		return
	}
	h.renderJoining(w, r, l, http.StatusOK, joiningView{Notice: "Invitations sent: " + strconv.Itoa(sent) + ". Skipped (already members or already invited): " + strconv.Itoa(len(addrs)-sent) + "."})
}
