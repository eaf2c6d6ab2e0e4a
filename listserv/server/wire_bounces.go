package server

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/bounce"
	"github.com/demnet-uk/listserv/listserv/pipeline"
	"github.com/demnet-uk/listserv/listserv/token"
)

// wireBounces registers the bounce engine's inbox handler (mail to
// LIST-bounces@ and LIST-bounces+TOKEN@, which intake stores as inbox
// items) and, on one node at a time, the hourly expiry of old bounces.
func (s *Server) wireBounces(tokens *token.Maker) {
	eng := s.bounceEngine(tokens)
	s.Inbox.Handle(pipeline.KindBounces, eng.HandleBounce)

	s.lead("bounces", func(ctx context.Context) { expireBounces(ctx, s, eng) })
}

// bounceEngine is the bounce engine over the store, for the inbox and for
// the web's re-enable page.
func (s *Server) bounceEngine(tokens *token.Maker) *bounce.Engine {
	now := s.cfg.Clock
	if now == nil {
		now = time.Now
	}
	return bounce.New(s.Store, tokens, bounce.Config{Window: s.cfg.Bounces.Window, Threshold: s.cfg.Bounces.Threshold,
		BaseURL: s.cfg.BaseURL, Now: now}, s.log.With("part", "bounces"))
}

func expireBounces(ctx context.Context, s *Server, eng *bounce.Engine) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := eng.Expire(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("expire bounces", "err", err)
		} else if n > 0 {
			s.log.Info("bounce scores lowered", "members", n)
		}
		// Re-warnings and removals of members disabled by bounces.
		if r, err := eng.Rewarn(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("bounce re-warnings", "err", err)
		} else if r.Warned+r.Removed > 0 {
			s.log.Info("bounce re-warnings", "warned", r.Warned, "removed", r.Removed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// BounceConfig tunes bounce scoring.
type BounceConfig struct {
	Window    time.Duration
	Threshold float64
}
