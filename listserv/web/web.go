// Package web serves listserv's pages (gorilla/mux, html/template). Pages
// work without JavaScript; a GET never changes anything, because mail
// scanners fetch every link in a message.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/signin"
	"github.com/demnet-uk/listserv/listserv/subscribe"
	"github.com/demnet-uk/listserv/listserv/token"
	"github.com/demnet-uk/listserv/templates"
)

// Server holds what handlers need.
type Server struct {
	st      Store
	signin  *signin.Engine
	subs    *subscribe.Engine
	mod     Moderator
	digest  DigestSettings
	bounces Reenabler
	owners  OwnerActions // nil: no owners' or site administrators' pages
	tokens  *token.Maker
	log     *slog.Logger
	pages   map[string]*template.Template
	capture bool // /outbox only exists in capture mode
	ready   atomic.Bool
	// baseURL is the public URL used in mail and for Secure cookies.
	baseURL string
	// trustedProxies may name the client in X-Forwarded-For.
	trustedProxies []netip.Prefix
	// signins limits sign-in requests per client (memory, one node).
	signins *limiter
	metrics http.Handler
	readyFn func(ctx context.Context) error
	// appPass is the app-password engine; nil hides /me/app-passwords.
	appPass  AppPasswords
	imapAddr string
	// newsletters renders archived issues; nil: no issue pages.
	newsletters Newsletters
}

// Options configure the web server.
type Options struct {
	Capture bool
	BaseURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; none by default.
	TrustedProxies []netip.Prefix
	// Metrics, when set, is served at /metrics to the same clients as
	// /outbox (loopback, not through a proxy).
	Metrics http.Handler
	// Ready, when set, is what /readyz checks beyond the listeners: the
	// store answers and its schema is current.
	Ready func(ctx context.Context) error
	// IMAP is the IMAP listener's public host:port, shown with the app
	// passwords ("" leaves the port to the operator's instructions).
	IMAP string
}

// New parses the templates (failing at start, not at first request). The
// pages read st and change things only through eng.
func New(st Store, eng Engines, tokens *token.Maker, log *slog.Logger, opts Options) (*Server, error) {
	if eng.Signin == nil || eng.Subscribe == nil || eng.Moderation == nil || eng.Digest == nil || eng.Bounces == nil {
		return nil, errors.New("web: the sign-in, subscription, moderation, digest and bounce engines are required")
	}
	s := &Server{st: st, signin: eng.Signin, subs: eng.Subscribe, mod: eng.Moderation, digest: eng.Digest, bounces: eng.Bounces, owners: eng.Owners,
		tokens: tokens, log: log, capture: opts.Capture, pages: map[string]*template.Template{},
		baseURL:        strings.TrimRight(opts.BaseURL, "/"),
		trustedProxies: opts.TrustedProxies, signins: newLimiter(signinPerClient, signinWindow, limiterKeys),
		metrics: opts.Metrics, readyFn: opts.Ready, newsletters: eng.Newsletters}
	s.appPass, s.imapAddr = eng.AppPasswords, opts.IMAP
	names, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "layout.html" || strings.HasPrefix(n, "partial_") {
			continue
		}
		// partial_*.html define blocks several pages share.
		t, err := template.ParseFS(templates.FS, "layout.html", "partial_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		s.pages[strings.TrimSuffix(n, ".html")] = t
	}
	return s, nil
}

// SetReady marks every listener as up (healthz answers 200).
func (s *Server) SetReady(v bool) { s.ready.Store(v) }

// Handler is the whole site, with security headers on every response,
// including mux's own 404 and 405.
func (s *Server) Handler() http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/healthz", s.healthz).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", s.readyz).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/metrics", s.serveMetrics).Methods(http.MethodGet)
	r.HandleFunc("/outbox", s.outbox).Methods(http.MethodGet)
	r.HandleFunc("/outbox/{id:[0-9]+}", s.outboxItem).Methods(http.MethodGet)
	r.HandleFunc("/u/{token}", s.unsubscribePage).Methods(http.MethodGet)
	r.HandleFunc("/u/{token}", s.unsubscribe).Methods(http.MethodPost)
	r.HandleFunc("/login", s.loginPage).Methods(http.MethodGet)
	r.HandleFunc("/login", s.sendLogin).Methods(http.MethodPost)
	r.HandleFunc("/login/{token}", s.confirmLogin).Methods(http.MethodGet)
	r.HandleFunc("/login/{token}", s.login).Methods(http.MethodPost)
	r.HandleFunc("/logout", s.logout).Methods(http.MethodPost)
	s.moderationRoutes(r)
	s.subscriptionRoutes(r)
	s.reenableRoutes(r)
	s.archiveRoutes(r)
	s.appPasswordRoutes(r)
	s.feedRoutes(r)
	s.newsletterRoutes(r)
	if s.owners != nil {
		s.ownerRoutes(r)
		s.adminRoutes(r)
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, http.StatusMethodNotAllowed, "Not allowed", "This page does not accept that kind of request.")
	})
	return secure(s.limitURI(s.identifyClient(s.identify(r))))
}

func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// View is what every template gets: the page's own data in .Data, and
// the caller and a CSRF token for the layout's sign-out form.
type View struct {
	Caller *Caller
	CSRF   string
	Data   any
	Site   SiteView
}

// Render writes page inside the layout.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := s.pages[page]
	if !ok {
		http.Error(w, "missing template "+page, http.StatusInternalServerError)
		return
	}
	v := View{Data: data, Site: s.siteView(r)}
	if r != nil {
		v.Caller, v.CSRF = CallerOf(r), s.CSRFToken(w, r)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout", v); err != nil {
		s.log.Error("render", "page", page, "err", err)
	}
}

// Error writes an error page.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.Render(w, r, status, "error", map[string]string{"Title": title, "Message": msg})
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}
