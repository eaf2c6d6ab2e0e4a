package web

import (
	"context"
	"net/http"
	"time"
)

// readyz is 200 only while every listener is up, the store answers and
// no migration is pending: a load balancer sends no one to a node that
// cannot take a post. The reason is in the body for the operator.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "starting or stopping", http.StatusServiceUnavailable)
		return
	}
	if s.readyFn != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := s.readyFn(ctx); err != nil {
			s.log.Warn("not ready", "err", err)
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	w.Write([]byte("ready\n"))
}

// serveMetrics shows the metrics only to the operator's own machine, as
// /outbox: list names and traffic are nobody else's business. Elsewhere,
// or when metrics are off, there is no such page.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if s.metrics == nil || !s.operatorPeer(r) {
		s.Error(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
		return
	}
	s.metrics.ServeHTTP(w, r)
}
