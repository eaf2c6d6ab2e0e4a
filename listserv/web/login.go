package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/signin"
)

// The sign-in pages are a thin door on the signin engine, which keeps
// the rules (who gets a link, how many, single use) for the CLI too.

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps redirects on this site (see signin.SafeNext).
func safeNext(next string) string { return signin.SafeNext(next) }

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
	// Per client here (HTTP-level); per address in the engine.
	if !s.signins.allow(limitKey(clientIP(r)), s.signin.Now()) {
		s.log.Warn("sign-in requests throttled", "client", clientIP(r))
		s.Error(w, r, http.StatusTooManyRequests, "Too many requests",
			"Many sign-in links were asked for from your connection. Please try again in a few minutes.")
		return
	}
	if err := s.signin.RequestLink(r.Context(), addr, v.Next); err != nil && !errors.Is(err, signin.ErrNotSent) {
		s.oops(w, r, "login link", err)
		return
	}
	v.Sent = true
	s.Render(w, r, http.StatusOK, "login", v)
}

// confirmLogin shows one button: a GET never uses the token (scanners).
func (s *Server) confirmLogin(w http.ResponseWriter, r *http.Request) {
	tok := mux.Vars(r)["token"]
	if err := s.signin.Check(r.Context(), tok); errors.Is(err, signin.ErrInvalid) {
		s.Render(w, r, http.StatusGone, "login", loginView{CSRF: s.CSRFToken(w, r), Invalid: true})
		return
	} else if err != nil {
		s.oops(w, r, "login page", err)
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
	sess, err := s.signin.Redeem(r.Context(), mux.Vars(r)["token"])
	if errors.Is(err, signin.ErrInvalid) {
		s.Render(w, r, http.StatusGone, "login", loginView{CSRF: s.CSRFToken(w, r), Invalid: true})
		return
	}
	if err != nil {
		s.oops(w, r, "login", err)
		return
	}
	s.setCookie(w, sessionCookie, sess.Token, int(signin.SessionTTL.Seconds()))
	next := safeNext(r.PostFormValue("next"))
	if next == "/" {
		next = sess.Next
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session; the cookie stays when that fails, so the
// person can see the error and try again rather than think they are out.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c := CallerOf(r); c != nil {
		if !s.CheckCSRF(r) {
			s.FormExpired(w, r)
			return
		}
		if err := s.signin.SignOut(r.Context(), c.sessionHash); err != nil {
			s.oops(w, r, "logout", err)
			return
		}
	}
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// oops logs an internal failure and answers 500 with a page.
func (s *Server) oops(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.Error(what, "err", err)
	s.Error(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
}

// FormExpired is the answer to a POST without a valid CSRF token.
func (s *Server) FormExpired(w http.ResponseWriter, r *http.Request) {
	s.Error(w, r, http.StatusForbidden, "This form has expired",
		"Go back, reload the page and try again. (The form's security check did not match.)")
}
