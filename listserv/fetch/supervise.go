package fetch

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ListStore is where lists keep their --fetch URL.
type ListStore interface {
	ListFetches(ctx context.Context) ([]*store.ListFetch, error)
	GetListByID(ctx context.Context, id int64) (*store.List, error)
}

// Supervisor runs one fetcher per mailbox: the serve flags' and each
// list's (re-read every Interval, so `list set --fetch` takes effect
// without a restart).
type Supervisor struct {
	Static   []*Source
	Lists    ListStore
	Interval time.Duration
	// Run reads one source until its context ends (the server wraps the
	// fetcher in a cluster lead, so one node reads each mailbox).
	Run func(ctx context.Context, src *Source)
	Log *slog.Logger

	running map[string]*running // by the URL with its password
	wg      sync.WaitGroup
}

type running struct{ cancel context.CancelFunc }

// Supervise works until ctx ends and its fetchers have stopped.
func (s *Supervisor) Supervise(ctx context.Context) {
	s.running = map[string]*running{}
	defer s.wg.Wait()
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		s.sync(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sync starts fetchers for new sources and stops those that went.
func (s *Supervisor) sync(ctx context.Context) {
	want := map[string]*Source{}
	for _, src := range s.Static {
		want[src.Key+"\x00"+src.Pass+"\x00"+src.List] = src
	}
	if s.Lists != nil {
		fs, err := s.Lists.ListFetches(ctx)
		if err != nil {
			s.Log.Warn("IMAP ingestion: read list fetch URLs", "err", err)
			return
		}
		for _, lf := range fs {
			src, err := s.listSource(ctx, lf)
			if err != nil {
				s.Log.Warn("IMAP ingestion: list fetch URL", "list_id", lf.ListID, "err", err)
				continue
			}
			want[src.Key+"\x00"+src.Pass+"\x00"+src.List] = src
		}
	}
	for k, r := range s.running {
		if want[k] == nil {
			r.cancel()
			delete(s.running, k)
		}
	}
	for k, src := range want {
		if s.running[k] != nil {
			continue
		}
		rctx, cancel := context.WithCancel(ctx)
		s.running[k] = &running{cancel: cancel}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.Run(rctx, src) }()
	}
}

func (s *Supervisor) listSource(ctx context.Context, lf *store.ListFetch) (*Source, error) {
	src, err := Parse(lf.URL)
	if err != nil {
		return nil, err
	}
	l, err := s.Lists.GetListByID(ctx, lf.ListID)
	if err != nil {
		return nil, err
	}
	src.List = l.Address
	return src, nil
}
