package server

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/archive"
)

// wireArchive starts the archive indexer: woken after every intake commit
// that archived a post, by other nodes' work notifications (PostgreSQL),
// and by a one-second poll (approvals, erasure rewrites, an archive from
// before migration 0016).
func (s *Server) wireArchive() {
	s.Archive = archive.NewIndexer(s.Store, s.log.With("part", "archive"))
	s.Archive.Poll = time.Second
	prev := s.pipe.Accepted
	s.pipe.Accepted = func() {
		if prev != nil {
			prev()
		}
		s.Archive.Wake()
	}
	s.background(s.Archive.Run)
	s.background(func(ctx context.Context) { s.Store.WatchWork(ctx, s.Archive.Wake) })
}
