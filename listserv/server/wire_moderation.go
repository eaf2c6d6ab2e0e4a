package server

import (
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/pipeline"
	"github.com/demnet-uk/listserv/listserv/token"
)

// wireModeration registers the moderation engine's inbox handler (replies
// to held-item notices, LIST-moderate+TOKEN@) and starts its background
// work (notices for new held items, expiry, daily reminders) on whichever
// node leads the "moderation" job.
// Its timings are Config.Moderation (serve flags --moderation-*).
func (s *Server) wireModeration(_ *token.Maker) {
	cfg := s.cfg.Moderation
	cfg.BaseURL = s.cfg.BaseURL
	eng := moderation.New(s.Store, cfg, s.log.With("part", "moderation"))
	s.Inbox.Handle(pipeline.KindModerate, eng.HandleReply)

	s.lead("moderation", eng.Run)
}
