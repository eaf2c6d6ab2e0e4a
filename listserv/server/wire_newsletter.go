package server

import (
	"time"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/token"
)

// wireNewsletters makes the newsletter engine; the leading node sends
// issues on their schedules, resumes interrupted ones and archives
// closed asks and offers (issue copies are queued once per subscriber,
// fenced by the cursor, so a hand-run `digest send` alongside is
// safe). Queued copies leave through the delivery engine's mail queue.
func (s *Server) wireNewsletters(tokens *token.Maker) {
	now := s.cfg.Clock
	if now == nil {
		now = time.Now
	}
	st := newsletterCounting{Store: s.Store, m: s.Metrics, now: time.Now}
	s.Newsletter = newsletter.New(st, tokens, newsletter.Config{BaseURL: s.cfg.BaseURL, Now: now},
		s.log.With("part", "newsletter"))
	s.Newsletter.Queued = s.Engine.Wake
	// Submissions by mail ([event] to a newsletter, #event on a list).
	s.Inbox.Handle(newsletter.KindSubmit, s.Newsletter.HandleSubmission)
	s.Inbox.Handle(newsletter.KindPropose, s.Newsletter.HandleProposal)
	if !s.cfg.Deliver {
		return
	}
	s.lead("newsletters", s.Newsletter.Run)
}
