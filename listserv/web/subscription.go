package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// subs serves the public list pages, joining, confirmation links,
// preferences (/me) and the directory, with the subscription engine.
type subs struct {
	*Server
	e *subscribe.Engine
}

// subscriptionRoutes registers the public list pages, joining and
// preferences (/lists/{list-id}, /me, ...).
func (s *Server) subscriptionRoutes(r *mux.Router) {
	h := &subs{Server: s, e: s.subs}
	get, post := http.MethodGet, http.MethodPost
	r.HandleFunc("/", h.home).Methods(get)
	r.HandleFunc("/lists/{list}", h.listPage).Methods(get)
	r.HandleFunc("/lists/{list}/subscribe", h.subscribe).Methods(post)
	r.HandleFunc("/lists/{list}/joining", h.joiningPage).Methods(get)
	r.HandleFunc("/lists/{list}/joining", h.saveJoining).Methods(post)
	r.HandleFunc("/lists/{list}/invite", h.invite).Methods(post)
	r.HandleFunc("/confirm/{token}", h.confirmPage).Methods(get)
	r.HandleFunc("/confirm/{token}", h.confirm).Methods(post)
	r.HandleFunc("/me", h.me).Methods(get)
	r.HandleFunc("/me/delivery/{member:[0-9]+}", h.saveDelivery).Methods(post)
	r.HandleFunc("/me/leave/{member:[0-9]+}", h.leave).Methods(post)
	r.HandleFunc("/me/join/{list}", h.joinSignedIn).Methods(post)
	r.HandleFunc("/me/newsletter", h.saveNewsletter).Methods(post)
	r.HandleFunc("/me/profile", h.saveProfile).Methods(post)
	r.HandleFunc("/me/address", h.changeAddress).Methods(post)
	r.HandleFunc("/me/data.json", h.exportData).Methods(get)
	r.HandleFunc("/me/delete", h.deletePage).Methods(get)
	r.HandleFunc("/me/delete", h.deleteAccount).Methods(post)
	r.HandleFunc("/directory", h.directory).Methods(get)
}

// list resolves {list} or writes a 404 page.
func (h *subs) list(w http.ResponseWriter, r *http.Request) (*store.List, bool) {
	l, err := listByID(r.Context(), h.st, mux.Vars(r)["list"])
	if errors.Is(err, store.ErrNotFound) {
		h.Error(w, r, http.StatusNotFound, "List not found", "There is no mailing list at this address. The list of lists is on the home page.")
		return nil, false
	}
	if err != nil {
		h.oops(w, r, "list", err)
		return nil, false
	}
	return l, true
}

// postForm checks the CSRF token of a signed-in form; ok false means an
// answer was written.
func (h *subs) signedInPost(w http.ResponseWriter, r *http.Request) (*Caller, bool) {
	c, ok := h.requireCaller(w, r)
	if !ok {
		return nil, false
	}
	if !h.CheckCSRF(r) {
		h.FormExpired(w, r)
		return nil, false
	}
	return c, true
}

// back returns to /me with a notice saying what was done.
func back(w http.ResponseWriter, r *http.Request, done string, listID string) {
	u := "/me?done=" + done
	if listID != "" {
		u += "&list=" + listID
	}
	http.Redirect(w, r, u+"#notice", http.StatusSeeOther)
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// withoutCaller is r's context with nobody signed in (after erasure).
func withoutCaller(r *http.Request) context.Context {
	return context.WithValue(r.Context(), callerKey{}, (*Caller)(nil))
}
