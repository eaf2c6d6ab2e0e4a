package server

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/fetch"
)

// fetchInterval is how often lists' --fetch URLs are re-read.
const fetchInterval = 30 * time.Second

// wireFetch starts IMAP ingestion: the --fetch mailboxes and every
// list's. Each mailbox is read by one node at a time (a cluster lead per
// mailbox), so two nodes never take the same message.
func (s *Server) wireFetch(bg context.Context, node string) error {
	var static []*fetch.Source
	for _, u := range s.cfg.Fetch {
		src, err := fetch.Parse(u)
		if err != nil {
			return err
		}
		static = append(static, src)
	}
	log := s.log.With("part", "fetch")
	sup := &fetch.Supervisor{Static: static, Lists: s.Store, Interval: fetchInterval, Log: log,
		Run: func(ctx context.Context, src *fetch.Source) {
			f := fetch.New(src, s.pipe, s.Store, log)
			s.Store.Lead(ctx, "fetch "+src.Key, node, f.Run)
		}}
	s.goBg(func() { sup.Supervise(bg) })
	return nil
}
