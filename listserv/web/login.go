package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// Login links are valid 15 minutes and used once; at most loginPerWindow
// are mailed to one address per window, so the form cannot mail-bomb.
const (
	loginTTL       = 15 * time.Minute
	loginPerWindow = 3
	loginWindow    = time.Hour
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

type loginView struct {
	CSRF, Next, Address, Token string
	Sent, Invalid              bool
	Error                      string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, "login", loginView{CSRF: s.CSRFToken(w, r), Next: safeNext(r.URL.Query().Get("next"))})
}

// sendLogin mails a login link. It answers the same whether or not the
// address is known, so the form tells nobody who is subscribed.
func (s *Server) sendLogin(w http.ResponseWriter, r *http.Request) {
	v := loginView{CSRF: s.CSRFToken(w, r), Next: safeNext(r.PostFormValue("next")), Address: r.PostFormValue("address")}
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return
	}
	addr, err := admin.CheckAddress(v.Address)
	if err != nil {
		v.Error = "Enter your email address, like name@example.org."
		s.Render(w, r, http.StatusUnprocessableEntity, "login", v)
		return
	}
	if !s.signins.allow(limitKey(clientIP(r)), time.Now()) {
		s.log.Warn("sign-in requests throttled", "client", clientIP(r))
		s.Error(w, r, http.StatusTooManyRequests, "Too many requests",
			"Many sign-in links were asked for from your connection. Please try again in a few minutes.")
		return
	}
	if err := s.mailLoginLink(r, addr, v.Next); err != nil && !errors.Is(err, errThrottled) {
		s.log.Error("login link", "err", err)
		s.Error(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
		return
	}
	v.Sent = true
	s.Render(w, r, http.StatusOK, "login", v)
}

// errThrottled means no mail is sent (unknown address, or too many links);
// the visitor sees the same page either way.
var errThrottled = errors.New("no login link sent")

// mailLoginLink mails a link only to an address someone here knows (a
// member, moderator or owner of any list), at most loginPerWindow an hour.
func (s *Server) mailLoginLink(r *http.Request, addr, next string) error {
	ctx := r.Context()
	ms, err := s.st.Memberships(ctx, addr)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return errThrottled
	}
	n, err := s.st.CountTokens(ctx, addr, "login", time.Now().Add(-loginWindow))
	if err != nil {
		return err
	}
	if n >= loginPerWindow {
		return errThrottled
	}
	link, err := LoginLink(ctx, s.st, s.baseURL, addr, next)
	if err != nil {
		return err
	}
	q, err := notice.LoginLink(s.siteAddress, addr, link, loginTTL)
	if err != nil {
		return err
	}
	return s.st.EnqueueMail(ctx, q)
}

// confirmLogin shows one button: a GET never uses the token (scanners).
func (s *Server) confirmLogin(w http.ResponseWriter, r *http.Request) {
	tok := mux.Vars(r)["token"]
	if _, err := s.st.PeekToken(r.Context(), token.Hash(tok), "login", time.Now()); err != nil {
		s.Render(w, r, http.StatusGone, "login", loginView{CSRF: s.CSRFToken(w, r), Invalid: true})
		return
	}
	s.Render(w, r, http.StatusOK, "login_confirm", loginView{CSRF: s.CSRFToken(w, r), Token: tok,
		Next: safeNext(r.URL.Query().Get("next"))})
}

// login signs the browser in. It checks the form token like every other
// POST, or a third-party page could sign a victim into its own account.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return
	}
	t, err := s.st.ConsumeToken(r.Context(), token.Hash(mux.Vars(r)["token"]), "login", time.Now())
	if errors.Is(err, store.ErrNotFound) {
		s.Render(w, r, http.StatusGone, "login", loginView{CSRF: s.CSRFToken(w, r), Invalid: true})
		return
	}
	if err != nil {
		s.log.Error("login", "err", err)
		s.Error(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
		return
	}
	plain, hash := token.Random()
	if err := s.st.CreateSession(r.Context(), hash, t.Address, time.Now().Add(sessionTTL)); err != nil {
		s.log.Error("session", "err", err)
		s.Error(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
		return
	}
	s.setCookie(w, sessionCookie, plain, int(sessionTTL.Seconds()))
	s.log.Info("signed in", "address", t.Address)
	next := safeNext(r.PostFormValue("next"))
	if next == "/" && t.Data != "" {
		next = safeNext(t.Data)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c := CallerOf(r); c != nil {
		if !s.CheckCSRF(r) {
			s.FormExpired(w, r)
			return
		}
		s.st.DeleteSession(r.Context(), c.sessionHash)
	}
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// FormExpired is the answer to a POST without a valid CSRF token.
func (s *Server) FormExpired(w http.ResponseWriter, r *http.Request) {
	s.Error(w, r, http.StatusForbidden, "This form has expired",
		"Go back, reload the page and try again. (The form's security check did not match.)")
}
