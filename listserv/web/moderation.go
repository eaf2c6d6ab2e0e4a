package web

import "github.com/gorilla/mux"

// moderationRoutes registers the moderation pages (/moderate, ...).
func (s *Server) moderationRoutes(r *mux.Router) {}
