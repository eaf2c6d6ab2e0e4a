package web

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/store"
)

// /u/{token} is the List-Unsubscribe URL of every copy: a GET shows one
// button (link scanners fetch URLs, so a GET never unsubscribes); a POST
// unsubscribes at once, which is RFC 8058 one-click when a mail client
// sends List-Unsubscribe=One-Click, and the same for the page's button.

type unsubView struct {
	Done                                        bool
	ListName, ListAddress, JoinAddress, Address string
	ListID                                      string // for the join-again form
}

// member resolves the token of /u/{token}; ok false means an error page
// was written. An unknown member (already gone) is not an error.
func (s *Server) member(w http.ResponseWriter, r *http.Request) (*store.Member, bool) {
	id, ok := s.tokens.ParseUnsubscribe(mux.Vars(r)["token"])
	if !ok {
		s.Error(w, r, http.StatusNotFound, "This link does not work",
			"The unsubscribe link is incomplete or damaged. Use the link from the most recent message you received.")
		return nil, false
	}
	m, err := s.st.GetMemberByID(r.Context(), id)
	if err != nil {
		s.Render(w, r, http.StatusOK, "error", map[string]string{"Title": "You are not subscribed",
			"Message": "This address is no longer on the list; there is nothing more to do."})
		return nil, false
	}
	return m, true
}

func (s *Server) view(r *http.Request, m *store.Member, done bool) unsubView {
	v := unsubView{Done: done, Address: m.Address}
	if l, err := s.st.GetListByID(r.Context(), m.ListID); err == nil {
		v.ListName, v.ListAddress, v.JoinAddress, v.ListID = l.Name, l.Address, l.SubAddress("join"), l.ListID()
		if v.ListName == "" {
			v.ListName = l.Address
		}
	}
	return v
}

// unsubscribePage shows one button.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	m, ok := s.member(w, r)
	if !ok {
		return
	}
	s.Render(w, r, http.StatusOK, "unsubscribe", s.view(r, m, false))
}

// unsubscribe acts at once: no sign-in, no confirmation, no CSRF token
// (RFC 8058 section 3.2: the POST comes without cookies). The evidence is
// kept and the leaving acknowledged by mail, with the way back.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	m, ok := s.member(w, r)
	if !ok {
		return
	}
	v := s.view(r, m, true)
	// Two clicks at once: the second finds the member gone, which is fine.
	if _, err := s.subs.Leave(r.Context(), m, "one-click", clientIP(r)); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("unsubscribe", "member", m.ID, "err", err)
		s.Error(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
		return
	}
	s.Render(w, r, http.StatusOK, "unsubscribe", v)
}
