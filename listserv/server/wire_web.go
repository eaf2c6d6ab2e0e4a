package server

import (
	"github.com/demnet-uk/listserv/digest"
	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/signin"
	"github.com/demnet-uk/listserv/listserv/subscribe"
	"github.com/demnet-uk/listserv/listserv/token"
	"github.com/demnet-uk/listserv/listserv/web"
)

// webEngines are the engines the web pages act through, over the store.
func (s *Server) webEngines(tokens *token.Maker) web.Engines {
	site := s.siteAddress()
	return web.Engines{
		Signin: signin.New(s.Store, s.log.With("part", "signin"),
			signin.Options{BaseURL: s.cfg.BaseURL, SiteAddress: site}),
		Subscribe: subscribe.New(s.Store, tokens, s.log.With("part", "subscribe"),
			subscribe.Options{BaseURL: s.cfg.BaseURL, SiteAddress: site}),
		Moderation: moderation.Actions{St: s.Store},
		Digest:     digest.Settings{St: s.Store},
		Bounces:    s.bounceEngine(tokens),
		// The IMAP page is offered when IMAP is served.
		AppPasswords: s.appPasswords(),
		// The pages render archived issues through it.
		Newsletters: s.Newsletter,
		Owners:      admin.Actions{St: s.Store},
	}
}
