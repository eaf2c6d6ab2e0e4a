package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/demnet-uk/listserv/digest"
	"github.com/demnet-uk/listserv/listserv/metrics"
	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// timed records every request's handler time in h.
func timed(h *metrics.Histogram, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		h.Observe(time.Since(start))
	})
}

// storeReady is /readyz's check: the store answers and is migrated.
func (s *Server) storeReady(ctx context.Context) error {
	if r, ok := s.Store.(interface{ Ready(context.Context) error }); ok {
		return r.Ready(ctx)
	}
	_, err := s.Store.Pending(ctx)
	return err
}

// listenMetrics serves /metrics alone on --metrics ADDR, when given: the
// operator chose who can reach that address, so it has no loopback rule.
func (s *Server) listenMetrics(h http.Handler) error {
	if s.cfg.Metrics == "" || s.cfg.Metrics == "off" {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.Metrics)
	if err != nil {
		return fmt.Errorf("metrics listener: %w", err)
	}
	s.addrs["metrics"] = ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	s.metricsHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	go s.metricsHTTP.Serve(ln)
	return nil
}

// digestCounting is the store as the digest engine sees it, counting the
// digest mails of every committed batch into the metrics (claims lost to
// another node are not counted: nothing of theirs was queued).
type digestCounting struct {
	digest.Store
	m   *metrics.Metrics
	now func() time.Time
}

func (d digestCounting) CommitDigests(ctx context.Context, cs []store.DigestCommit) ([]int, error) {
	lost, err := d.Store.CommitDigests(ctx, cs)
	if err != nil {
		return lost, err
	}
	n := 0
	for _, c := range cs {
		n += len(c.Outcome.Parts)
	}
	for _, i := range lost {
		n -= len(cs[i].Outcome.Parts)
	}
	d.m.DigestsQueued(n, d.now())
	return lost, nil
}

// newsletterCounting is the store as the newsletter engine sees it,
// counting the issue copies of every committed batch (a batch lost to
// another sender queued nothing and is not counted).
type newsletterCounting struct {
	newsletter.Store
	m   *metrics.Metrics
	now func() time.Time
}

func (n newsletterCounting) QueueIssue(ctx context.Context, issueID, from, upto int64, ms []*store.QueuedMail) error {
	if err := n.Store.QueueIssue(ctx, issueID, from, upto, ms); err != nil {
		return err
	}
	n.m.NewsletterQueued(len(ms), n.now())
	return nil
}
