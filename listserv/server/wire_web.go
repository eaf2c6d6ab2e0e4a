package server

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/signin"
	"github.com/demnet-uk/listserv/listserv/store"
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
		Moderation: moderator{s.Store},
	}
}

// moderator offers moderation's actions over one store (web.Moderator).
type moderator struct{ st store.Store }

func (m moderator) Act(ctx context.Context, heldID int64, act moderation.Action, by, reason string) (*moderation.Outcome, error) {
	return moderation.Act(ctx, m.st, heldID, act, by, reason)
}

func (m moderator) SetNotify(ctx context.Context, listID int64, address, notify string) error {
	return moderation.SetNotify(ctx, m.st, listID, address, notify)
}
