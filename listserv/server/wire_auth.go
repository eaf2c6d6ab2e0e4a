package server

import "github.com/demnet-uk/listserv/listserv/mailauth"

// wireAuth checks SPF, DKIM and DMARC on every post when configured
// (serve does by default; --inbound-auth off): a post whose From names a
// member but is not borne out is held, and every post gets this server's
// Authentication-Results. The same DMARC lookups drive outbound From
// rewriting for p=reject and p=quarantine authors.
func (s *Server) wireAuth() {
	c := s.cfg.InboundAuth
	if c == nil || c.Resolver == nil {
		return
	}
	cfg := *c
	if cfg.AuthservID == "" {
		cfg.AuthservID = s.cfg.Hostname
	}
	s.Auth = mailauth.New(cfg)
	s.pipe.Auth = s.Auth
}

// wireMitigation rewrites From (or wraps the post) for authors whose
// domain publishes p=reject or p=quarantine, per list (listserv list
// deliverability); it needs DNS, so it runs when inbound checks do.
func (s *Server) wireMitigation() {
	if s.Auth == nil {
		return
	}
	s.Engine.SetMitigator(mailauth.NewMitigator(s.Store, s.Auth.Policies()))
}
