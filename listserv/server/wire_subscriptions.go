package server

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/pipeline"
	"github.com/demnet-uk/listserv/listserv/subscribe"
	"github.com/demnet-uk/listserv/listserv/token"
)

// wireSubscriptions registers the subscription engine's inbox handlers
// (LIST-join@, -leave@, -request@ commands, -confirm+TOKEN@ replies) and
// its housekeeping on one node at a time: welcoming members whose
// request an owner approved, ending "no mail until" holidays, and pruning
// old tokens and throttle hits.
func (s *Server) wireSubscriptions(tokens *token.Maker) {
	e := subscribe.New(s.Store, tokens, s.log.With("part", "subscribe"),
		subscribe.Options{BaseURL: s.cfg.BaseURL, SiteAddress: s.siteAddress()})
	s.Inbox.Handle(pipeline.KindJoin, e.HandleJoin)
	s.Inbox.Handle(pipeline.KindLeave, e.HandleLeave)
	s.Inbox.Handle(pipeline.KindRequest, e.HandleRequest)
	s.Inbox.Handle(pipeline.KindConfirm, e.HandleConfirm)

	s.lead("subscriptions", func(ctx context.Context) { subscriptionJobs(ctx, s, e) })
}

func subscriptionJobs(ctx context.Context, s *Server, e *subscribe.Engine) {
	// Often enough that a welcome follows an owner's approval promptly;
	// each round is a few indexed queries.
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	var pruned time.Time
	for {
		now := time.Now()
		if n, err := s.Store.ResumeNoMail(ctx, now); err != nil && ctx.Err() == nil {
			s.log.Warn("resume nomail", "err", err)
		} else if n > 0 {
			s.log.Info("holidays ended", "members", n)
		}
		if _, err := e.WelcomeApproved(ctx, now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			s.log.Warn("welcome approved members", "err", err)
		}
		// Keep used and expired tokens a while, so an old link still gets
		// a page that names its list.
		if now.Sub(pruned) > time.Hour {
			if _, err := s.Store.PruneSubscriptions(ctx, now.Add(-30*24*time.Hour)); err != nil && ctx.Err() == nil {
				s.log.Warn("prune subscriptions", "err", err)
			} else {
				pruned = now
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// siteAddress sends mail that belongs to no list (also used by the web).
func (s *Server) siteAddress() string {
	if s.cfg.SiteAddress != "" {
		return s.cfg.SiteAddress
	}
	return "listserv@" + s.cfg.Hostname
}
