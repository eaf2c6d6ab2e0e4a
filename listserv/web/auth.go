package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/demnet-uk/listserv/listserv/signin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// This file is the one place where handlers learn who the caller is and
// what they may do.

const (
	sessionCookie = "ls_session"
	anonCookie    = "ls_anon"
)

// Caller is the signed-in person, with their memberships.
type Caller struct {
	Address     string
	sessionHash string
	Memberships []*store.Member
	// Admin: a site administrator (listserv admin add), who may act as an
	// owner of every list.
	Admin bool
}

// Role returns the caller's role on a list, or "" when not a member.
func (c *Caller) Role(listID int64) string {
	if c == nil {
		return ""
	}
	for _, m := range c.Memberships {
		if m.ListID == listID {
			return m.Role
		}
	}
	return ""
}

// CanModerate: owners and moderators act on a list's queue.
func (c *Caller) CanModerate(listID int64) bool {
	r := c.Role(listID)
	return r == store.RoleOwner || r == store.RoleModerator
}

// IsOwner: owners (and site administrators) change settings, members
// and moderators.
func (c *Caller) IsOwner(listID int64) bool {
	return c != nil && c.Admin || c.Role(listID) == store.RoleOwner
}

// ModeratedLists are the ids of the lists the caller moderates or owns.
func (c *Caller) ModeratedLists() []int64 {
	var ids []int64
	if c == nil {
		return nil
	}
	for _, m := range c.Memberships {
		if m.Role == store.RoleOwner || m.Role == store.RoleModerator {
			ids = append(ids, m.ListID)
		}
	}
	return ids
}

// OwnedLists are the ids of the lists the caller owns.
func (c *Caller) OwnedLists() []int64 {
	var ids []int64
	if c == nil {
		return nil
	}
	for _, m := range c.Memberships {
		if m.Role == store.RoleOwner {
			ids = append(ids, m.ListID)
		}
	}
	return ids
}

type callerKey struct{}

// identify loads the caller from the session cookie for every request.
// A store failure is logged and the visitor treated as signed out for
// this request: pages then ask them to sign in rather than act as nobody.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			if caller, err := s.caller(r.Context(), c.Value); err == nil {
				r = r.WithContext(context.WithValue(r.Context(), callerKey{}, caller))
			} else if !errors.Is(err, signin.ErrInvalid) {
				s.log.Error("session", "err", err)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// caller resolves a session cookie to the person and their memberships.
func (s *Server) caller(ctx context.Context, cookie string) (*Caller, error) {
	sess, err := s.signin.Resolve(ctx, cookie)
	if err != nil {
		return nil, err
	}
	ms, err := s.st.Memberships(ctx, sess.Address)
	if err != nil {
		return nil, err
	}
	admin, err := s.isSiteAdmin(ctx, sess.Address)
	if err != nil {
		return nil, err
	}
	return &Caller{Address: sess.Address, sessionHash: sess.Hash, Memberships: ms, Admin: admin}, nil
}

// CallerOf returns the signed-in caller or nil.
func CallerOf(r *http.Request) *Caller {
	c, _ := r.Context().Value(callerKey{}).(*Caller)
	return c
}

// requireCaller sends anonymous visitors to sign in and back.
func (s *Server) requireCaller(w http.ResponseWriter, r *http.Request) (*Caller, bool) {
	c := CallerOf(r)
	if c == nil {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil, false
	}
	return c, true
}

// CSRFToken returns the form token for this visitor, setting an anonymous
// cookie to bind it to when nobody is signed in.
func (s *Server) CSRFToken(w http.ResponseWriter, r *http.Request) string {
	return s.tokens.MAC("csrf", s.csrfBinding(w, r))
}

func (s *Server) csrfBinding(w http.ResponseWriter, r *http.Request) string {
	if c := CallerOf(r); c != nil {
		return "s:" + c.sessionHash
	}
	if ck, err := r.Cookie(anonCookie); err == nil && ck.Value != "" {
		return "a:" + ck.Value
	}
	if w == nil {
		return ""
	}
	v, _ := token.Random()
	s.setCookie(w, anonCookie, v, 0)
	r.AddCookie(&http.Cookie{Name: anonCookie, Value: v})
	return "a:" + v
}

// CheckCSRF verifies a POST's csrf field.
func (s *Server) CheckCSRF(r *http.Request) bool {
	b := s.csrfBinding(nil, r)
	return b != "" && s.tokens.CheckMAC("csrf", b, r.PostFormValue("csrf"))
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the site is
// served over https; maxAge 0 means a browser-session cookie, < 0 deletes.
func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true,
		Secure: strings.HasPrefix(s.baseURL, "https://"), SameSite: http.SameSiteLaxMode, MaxAge: maxAge})
}
