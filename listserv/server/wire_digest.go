package server

import (
	"time"

	"github.com/demnet-uk/listserv/digest"
	"github.com/demnet-uk/listserv/listserv/token"
)

// wireDigests starts the digest engine on every node when delivery is on
// (claims are leased, so nodes share the due members). Its queued mail
// goes out through the delivery engine's mail queue; a wake-up follows
// each batch so it leaves at once.
func (s *Server) wireDigests(tokens *token.Maker) {
	node := s.cfg.Delivery.Node
	if node == "" {
		node = nodeName()
	}
	now := s.cfg.Clock
	if now == nil {
		now = time.Now
	}
	// The same lease as fan-out chunks (--lease): a dead node's claimed
	// members are taken over as soon as its chunks are.
	s.Digest = digest.New(digestCounting{Store: s.Store, m: s.Metrics, now: time.Now}, tokens, digest.Config{Node: node, BaseURL: s.cfg.BaseURL, Now: now,
		Lease: s.cfg.Delivery.Lease},
		s.log.With("part", "digest"))
	s.Digest.Queued = s.Engine.Wake
	if !s.cfg.Deliver {
		return
	}
	s.background(s.Digest.Run)
}
