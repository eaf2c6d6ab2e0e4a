package server

import (
	"context"
	"os"
	"time"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/pipeline"
	"github.com/demnet-uk/listserv/listserv/token"
)

// wireModeration registers the moderation engine's inbox handler (replies
// to held-item notices, LIST-moderate+TOKEN@) and starts its background
// work (notices for new held items, expiry, daily reminders) on whichever
// node leads the "moderation" job.
//
// The timings come from the environment so tests (and impatient
// operators) can shorten them: LISTSERV_MODERATION_POLL (default 1s),
// LISTSERV_MODERATION_INTERVAL (10m), LISTSERV_MODERATION_REMIND_AFTER (12h).
func (s *Server) wireModeration(_ *token.Maker) {
	cfg := moderation.Config{
		BaseURL:     s.cfg.BaseURL,
		Poll:        envDuration("LISTSERV_MODERATION_POLL"),
		Interval:    envDuration("LISTSERV_MODERATION_INTERVAL"),
		RemindAfter: envDuration("LISTSERV_MODERATION_REMIND_AFTER"),
	}
	eng := moderation.New(s.Store, cfg, s.log.With("part", "moderation"))
	s.Inbox.Handle(pipeline.KindModerate, eng.HandleReply)

	// Stop with the other background work: Shutdown and abort call cancelBg.
	ctx, cancel := context.WithCancel(context.Background())
	if prev := s.cancelBg; prev != nil {
		s.cancelBg = func() { cancel(); prev() }
	} else {
		s.cancelBg = cancel
	}
	node := s.cfg.Delivery.Node
	if node == "" {
		node = nodeName()
	}
	s.goBg(func() { s.Store.Lead(ctx, "moderation", node, eng.Run) })
}

// envDuration reads a duration variable; 0 (the engine's default) when
// unset or unreadable.
func envDuration(name string) time.Duration {
	d, err := time.ParseDuration(os.Getenv(name))
	if err != nil {
		return 0
	}
	return d
}
