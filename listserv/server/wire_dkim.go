package server

import "github.com/demnet-uk/listserv/listserv/dkimsign"

// wireDKIM signs every copy and every queued mail with the stored keys
// of its domain (listserv dkim keygen); a domain without keys sends
// unsigned.
func (s *Server) wireDKIM() {
	s.Engine.PostSigner = dkimsign.NewKeyring(s.Store)
}
