package server

import "github.com/demnet-uk/listserv/listserv/token"

// wireSubscriptions registers the subscription engine's inbox handlers
// (LIST-join@, -leave@, -request@ commands, -confirm+TOKEN@ replies).
func (s *Server) wireSubscriptions(tokens *token.Maker) {}
