package web

import "github.com/gorilla/mux"

// subscriptionRoutes registers the public list pages, joining and
// preferences (/lists/{list-id}, /me, ...).
func (s *Server) subscriptionRoutes(r *mux.Router) {}
