package web

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/bounce"
	"github.com/demnet-uk/listserv/listserv/store"
)

// /bounces/enable/{token} is the link in the "your mail is paused"
// notice: a GET shows one button (link scanners fetch every URL), the
// POST turns delivery back on through the bounce engine. The token is the
// capability, as for /u/{token}.

type reenableView struct {
	Done, Enabled                  bool
	Address, ListName, ListAddress string
}

func (s *Server) reenableRoutes(r *mux.Router) {
	r.HandleFunc(bounce.ReenablePath+"{token}", s.reenablePage).Methods(http.MethodGet)
	r.HandleFunc(bounce.ReenablePath+"{token}", s.reenable).Methods(http.MethodPost)
}

// reenableMember resolves the token; ok false means a page was written.
func (s *Server) reenableMember(w http.ResponseWriter, r *http.Request) (*store.Member, reenableView, bool) {
	id, ok := s.tokens.ParseReenable(mux.Vars(r)["token"])
	if !ok {
		s.Error(w, r, http.StatusNotFound, "This link does not work",
			"The link is incomplete or damaged. Use the link from the most recent notice you received.")
		return nil, reenableView{}, false
	}
	m, err := s.st.GetMemberByID(r.Context(), id)
	if err != nil {
		s.Render(w, r, http.StatusOK, "error", map[string]string{"Title": "You are not subscribed",
			"Message": "This address is no longer on the list. You can join again from the list's page."})
		return nil, reenableView{}, false
	}
	v := reenableView{Address: m.Address, Enabled: m.Status == store.StatusEnabled}
	if l, err := s.st.GetListByID(r.Context(), m.ListID); err == nil {
		v.ListName, v.ListAddress = l.Name, l.Address
		if v.ListName == "" {
			v.ListName = l.Address
		}
	}
	return m, v, true
}

func (s *Server) reenablePage(w http.ResponseWriter, r *http.Request) {
	if _, v, ok := s.reenableMember(w, r); ok {
		s.Render(w, r, http.StatusOK, "reenable", v)
	}
}

func (s *Server) reenable(w http.ResponseWriter, r *http.Request) {
	m, v, ok := s.reenableMember(w, r)
	if !ok {
		return
	}
	if _, err := s.bounces.Enable(r.Context(), m.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("re-enable delivery", "member", m.ID, "err", err)
		s.Error(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
		return
	}
	v.Done, v.Enabled = true, true
	s.Render(w, r, http.StatusOK, "reenable", v)
}
