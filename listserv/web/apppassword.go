package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/apppass"
	"github.com/demnet-uk/listserv/listserv/store"
)

// AppPasswords is what /me/app-passwords acts through (apppass.Engine,
// which the CLI uses too).
type AppPasswords interface {
	List(ctx context.Context, address string) ([]*store.AppPassword, error)
	Create(ctx context.Context, address, name, by string) (string, *store.AppPassword, error)
	Revoke(ctx context.Context, address string, id int64, by string) error
}

type appPasswordsView struct {
	Address   string
	Passwords []*store.AppPassword
	// New is the password just made, shown this once.
	New      string
	NewName  string
	Notice   string
	Error    string
	Host     string
	Port     string
	Max      int
	CanMake  bool
	NameSize int
}

func (s *Server) appPasswordRoutes(r *mux.Router) {
	if s.appPass == nil {
		return
	}
	r.HandleFunc("/me/app-passwords", s.appPasswordsPage).Methods(http.MethodGet)
	r.HandleFunc("/me/app-passwords", s.createAppPassword).Methods(http.MethodPost)
	r.HandleFunc("/me/app-passwords/{id:[0-9]+}/revoke", s.revokeAppPassword).Methods(http.MethodPost)
}

func (s *Server) appPasswordsPage(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	v := &appPasswordsView{}
	if r.URL.Query().Get("done") == "revoked" {
		v.Notice = "The app password was revoked: mail clients using it can no longer sign in."
	}
	s.renderAppPasswords(w, r, c, v, http.StatusOK)
}

func (s *Server) renderAppPasswords(w http.ResponseWriter, r *http.Request, c *Caller, v *appPasswordsView, status int) {
	ps, err := s.appPass.List(r.Context(), c.Address)
	if err != nil {
		s.oops(w, r, "list app passwords", err)
		return
	}
	v.Address, v.Passwords, v.Max, v.NameSize = c.Address, ps, apppass.MaxPerAddress, 60
	v.CanMake = len(ps) < apppass.MaxPerAddress
	v.Host, v.Port = s.imapHostPort()
	s.Render(w, r, status, "app_passwords", v)
}

// imapHostPort is what a mail client is told to connect to.
func (s *Server) imapHostPort() (string, string) {
	host, port, err := net.SplitHostPort(s.imapAddr)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		if u, err := url.Parse(s.baseURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
	}
	return host, port
}

func (s *Server) createAppPassword(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return
	}
	secret, p, err := s.appPass.Create(r.Context(), c.Address, r.PostFormValue("name"), c.Address)
	if errors.Is(err, apppass.ErrInvalid) {
		s.renderAppPasswords(w, r, c, &appPasswordsView{Error: strings.TrimPrefix(err.Error(), "invalid: ")}, http.StatusBadRequest)
		return
	}
	if err != nil {
		s.oops(w, r, "create app password", err)
		return
	}
	s.renderAppPasswords(w, r, c, &appPasswordsView{New: secret, NewName: p.Name}, http.StatusOK)
}

func (s *Server) revokeAppPassword(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return
	}
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	err := s.appPass.Revoke(r.Context(), c.Address, id, c.Address)
	if errors.Is(err, store.ErrNotFound) {
		s.Error(w, r, http.StatusNotFound, "No such app password", "It may have been revoked already. Your app passwords are listed on the app passwords page.")
		return
	}
	if err != nil {
		s.oops(w, r, "revoke app password", err)
		return
	}
	http.Redirect(w, r, "/me/app-passwords?done=revoked#notice", http.StatusSeeOther)
}
