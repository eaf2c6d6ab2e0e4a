package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// /items/{id}/extend and /items/{id}/done are the links of the "still
// open?" mail to an ask's or offer's poster. A GET shows one button
// (link scanners fetch every URL); the POST acts. The token in the link
// is the permission, as with unsubscribing: no sign-in needed.

type openView struct {
	Item            *store.Item
	Action, Token   string
	Done, Stale     bool
	Closes, Message string
}

func (s *Server) openItem(w http.ResponseWriter, r *http.Request) (*store.Item, string, bool) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	it, err := s.st.GetItem(r.Context(), id)
	if err != nil || s.newsletters == nil || (it.Kind != store.ItemAsk && it.Kind != store.ItemOffer) {
		s.Error(w, r, http.StatusNotFound, "No such ask or offer", "There is no ask or offer at this address.")
		return nil, "", false
	}
	action := "extend"
	if strings.HasSuffix(r.URL.Path, "/done") {
		action = "done"
	}
	return it, action, true
}

func (s *Server) openPage(w http.ResponseWriter, r *http.Request) {
	it, action, ok := s.openItem(w, r)
	if !ok {
		return
	}
	tok := r.URL.Query().Get("t")
	v := openView{Item: it, Action: action, Token: tok, Closes: newsletter.Closes(it)}
	if !s.newsletters.CheckLink(it, action, tok) || !it.Live() {
		v.Stale = true
	}
	s.Render(w, r, http.StatusOK, "item_open", v)
}

func (s *Server) openAct(w http.ResponseWriter, r *http.Request) {
	it, action, ok := s.openItem(w, r)
	if !ok {
		return
	}
	tok := r.PostFormValue("t")
	var err error
	if action == "extend" {
		it, err = s.newsletters.Extend(r.Context(), it.ID, tok)
	} else {
		it, err = s.newsletters.Done(r.Context(), it.ID, tok)
	}
	v := openView{Item: it, Action: action, Done: err == nil}
	switch {
	case errors.Is(err, newsletter.ErrBadLink), errors.Is(err, store.ErrAlreadyHandled):
		v.Stale = true
	case err != nil:
		s.modFail(w, r, "item "+action, err)
		return
	}
	v.Closes = newsletter.Closes(it)
	s.Render(w, r, http.StatusOK, "item_open", v)
}
