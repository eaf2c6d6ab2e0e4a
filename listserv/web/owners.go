package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// The owners' pages: a list's settings and its members. Owners (and site
// administrators) change them; moderators see the members, read-only,
// since they decide on posts from them; everyone else gets 403 (signed
// in) or the sign-in page. Every change goes through s.owners, the same
// functions as the CLI's, which audit it in the same transaction.

func (s *Server) ownerRoutes(r *mux.Router) {
	get, post := http.MethodGet, http.MethodPost
	r.HandleFunc("/owners", s.ownersHome).Methods(get)
	r.HandleFunc("/lists/{list}/settings", s.settingsPage).Methods(get)
	r.HandleFunc("/lists/{list}/settings", s.saveSettings).Methods(post)
	r.HandleFunc("/lists/{list}/members", s.membersPage).Methods(get)
	r.HandleFunc("/lists/{list}/members", s.addMembers).Methods(post)
	r.HandleFunc("/lists/{list}/members.csv", s.exportMembers).Methods(get)
	r.HandleFunc("/lists/{list}/members/{id:[0-9]+}", s.memberPage).Methods(get)
	r.HandleFunc("/lists/{list}/members/{id:[0-9]+}", s.changeMember).Methods(post)
}

// access is what the caller may do on a list's owner pages.
type access int

const (
	noAccess access = iota
	readAccess
	ownerAccess
)

// ownerList resolves {list} and the caller's access to it; need is the
// least access the page requires. ok false means an answer was written.
func (s *Server) ownerList(w http.ResponseWriter, r *http.Request, need access) (*store.List, *Caller, access, bool) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return nil, nil, noAccess, false
	}
	l, err := listByID(r.Context(), s.st, mux.Vars(r)["list"])
	if errors.Is(err, store.ErrNotFound) {
		s.Error(w, r, http.StatusNotFound, "List not found", "There is no mailing list at this address. The list of lists is on the home page.")
		return nil, nil, noAccess, false
	}
	if err != nil {
		s.oops(w, r, "owner list", err)
		return nil, nil, noAccess, false
	}
	a := noAccess
	switch {
	case c.IsOwner(l.ID):
		a = ownerAccess
	case c.CanModerate(l.ID):
		a = readAccess
	}
	if a < need {
		msg := "Only the owners of " + l.Address + " can change its settings and members."
		if a == readAccess {
			msg += " As a moderator you can see its members and act on its held posts."
		}
		s.Error(w, r, http.StatusForbidden, "Owners only", msg)
		return nil, nil, a, false
	}
	return l, c, a, true
}

// ownerPost is ownerList for a POST: owners only, with the form token.
func (s *Server) ownerPost(w http.ResponseWriter, r *http.Request) (*store.List, *Caller, bool) {
	l, c, _, ok := s.ownerList(w, r, ownerAccess)
	if !ok {
		return nil, nil, false
	}
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return nil, nil, false
	}
	return l, c, true
}

// actionFailed answers a refused change: bad input is the owner's to fix
// (422 with the engine's words), anything else is ours (500).
func (s *Server) actionFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	if msg, ok := badInput(err); ok {
		s.Error(w, r, http.StatusUnprocessableEntity, "Nothing was changed", msg+" Go back, correct it and try again.")
		return
	}
	s.oops(w, r, what, err)
}

// badInput is the person-readable part of an engine's bad-input error.
func badInput(err error) (string, bool) {
	for _, target := range []error{admin.ErrInvalid, moderation.ErrInvalid} {
		if errors.Is(err, target) {
			msg := err.Error()
			if i := len(target.Error()) + 2; len(msg) > i && msg[:i] == target.Error()+": " {
				msg = msg[i:]
			}
			return capitalise(msg) + ".", true
		}
	}
	return "", false
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// ownerRow is one list on /owners.
type ownerRow struct {
	ID, Title, Role string
	Owner           bool
}

// ownersHome lists the lists the caller owns or moderates, with links.
func (s *Server) ownersHome(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	var rows []ownerRow
	for _, m := range c.Memberships {
		if m.Role == store.RoleMember {
			continue
		}
		l, err := s.st.GetListByID(r.Context(), m.ListID)
		if err != nil {
			s.oops(w, r, "owned list", err)
			return
		}
		t := l.Name
		if t == "" {
			t = l.Address
		}
		rows = append(rows, ownerRow{ID: l.ListID(), Title: t, Role: m.Role, Owner: m.Role == store.RoleOwner})
	}
	s.Render(w, r, http.StatusOK, "owners", rows)
}

// listPath is a list's owner page address with a query.
func listPath(l *store.List, page string, q url.Values) string {
	u := "/lists/" + l.ListID() + "/" + page
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}
