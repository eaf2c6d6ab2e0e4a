// Package web serves listserv's pages (gorilla/mux, html/template). Pages
// work without JavaScript; a GET never changes anything, because mail
// scanners fetch every link in a message.
package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
	"github.com/demnet-uk/listserv/templates"
)

// Server holds what handlers need.
type Server struct {
	st      store.Store
	tokens  *token.Maker
	log     *slog.Logger
	pages   map[string]*template.Template
	capture bool // /outbox only exists in capture mode
	ready   atomic.Bool
}

// Options configure the web server.
type Options struct {
	Capture bool
}

// New parses the templates (failing at start, not at first request).
func New(st store.Store, tokens *token.Maker, log *slog.Logger, opts Options) (*Server, error) {
	s := &Server{st: st, tokens: tokens, log: log, capture: opts.Capture, pages: map[string]*template.Template{}}
	names, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "layout.html" {
			continue
		}
		t, err := template.ParseFS(templates.FS, "layout.html", n)
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
	r.HandleFunc("/", s.home).Methods(http.MethodGet)
	r.HandleFunc("/outbox", s.outbox).Methods(http.MethodGet)
	r.HandleFunc("/outbox/{id:[0-9]+}", s.outboxItem).Methods(http.MethodGet)
	r.HandleFunc("/u/{token}", s.unsubscribePage).Methods(http.MethodGet)
	r.HandleFunc("/u/{token}", s.unsubscribe).Methods(http.MethodPost)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.error(w, http.StatusNotFound, "Page not found", "There is no page at this address.")
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.error(w, http.StatusMethodNotAllowed, "Not allowed", "This page does not accept that kind of request.")
	})
	return secure(r)
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

func (s *Server) render(w http.ResponseWriter, status int, page string, data any) {
	t, ok := s.pages[page]
	if !ok {
		http.Error(w, "missing template "+page, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout", data); err != nil {
		s.log.Error("render", "page", page, "err", err)
	}
}

func (s *Server) error(w http.ResponseWriter, status int, title, msg string) {
	s.render(w, status, "error", map[string]string{"Title": title, "Message": msg})
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ls, err := s.st.AllLists(r.Context())
	if err != nil {
		s.log.Error("lists", "err", err)
		s.error(w, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
		return
	}
	s.render(w, http.StatusOK, "home", map[string]any{"Lists": ls})
}
