// Package server wires the parts of `listserv serve` together: the store,
// the intake pipeline, SMTP and LMTP listeners, the delivery engine and the
// web server, and shuts them down in the order that loses nothing.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/digest"
	"github.com/demnet-uk/listserv/listserv/archive"
	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/imapd"
	"github.com/demnet-uk/listserv/listserv/inbox"
	"github.com/demnet-uk/listserv/listserv/mailauth"
	"github.com/demnet-uk/listserv/listserv/metrics"
	"github.com/demnet-uk/listserv/listserv/metrics/prom"
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/pipeline"
	"github.com/demnet-uk/listserv/listserv/smtpin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
	"github.com/demnet-uk/listserv/listserv/web"
)

// Config is everything serve needs; cmd/listserv fills it from flags and
// environment variables.
type Config struct {
	DB       string // SQLite path or postgres:// URL
	SMTP     string // listen address or "off"
	LMTP     string // listen address or "" / "off"
	HTTP     string
	IMAP     string
	Relay    string // "capture" or smtp[s]:// URL
	BaseURL  string
	Hostname string // SMTP greeting and HELO name
	// SiteAddress sends mail that belongs to no list (sign-in links);
	// default listserv@Hostname.
	SiteAddress string
	Deliver     bool // false pauses outbound delivery (intake only)
	SMTPIn      smtpin.Config
	// TLSCert and TLSKey (PEM files) enable STARTTLS on the SMTP listener.
	TLSCert, TLSKey string
	Delivery        delivery.Config
	// Moderation timings (notice poll, expiry and reminder interval); zero
	// values are the engine defaults.
	Moderation moderation.Config
	// Bounces: scoring window and threshold (--bounce-window,
	// --bounce-threshold); zero values are the engine defaults (7 days, 5).
	Bounces BounceConfig
	// TrustedProxies may name the web client in X-Forwarded-For; none by
	// default (--trusted-proxies).
	TrustedProxies []netip.Prefix
	// Clock is the digest and bounce engines' clock (tests simulate days); nil is
	// time.Now.
	Clock func() time.Time
	// Metrics is a listen address for /metrics alone; empty serves it on
	// the web port to loopback clients only.
	Metrics string

	// IMAPS is an implicit-TLS IMAP listen address (needs TLSCert).
	IMAPS string
	// Fetch are hosted mailboxes read as a way in (--fetch URLs).
	Fetch []string
	// InboundAuth checks SPF, DKIM and DMARC on posts (wire_auth.go); nil
	// or without a Resolver checks nothing.
	InboundAuth *mailauth.Config
}

// Server is a running serve process.
type Server struct {
	cfg    Config
	log    *slog.Logger
	Store  store.Store
	Engine *delivery.Engine
	Inbox  *inbox.Processor
	Digest *digest.Engine
	// Archive threads and indexes archived posts for the web archive.
	Archive *archive.Indexer
	// Newsletter compiles and sends newsletter issues.
	Newsletter *newsletter.Engine
	// Metrics is what this server counts (exported at /metrics).
	Metrics *metrics.Metrics
	pipe    *pipeline.Pipeline
	smtp    []*smtp.Server
	imap    *imapd.Server
	http    *http.Server
	// metricsHTTP serves --metrics, when given.
	metricsHTTP *http.Server
	web         *web.Server
	addrs       map[string]string
	cancelBg    context.CancelFunc
	bg          sync.WaitGroup
	engineWG    sync.WaitGroup
	stopEng     context.CancelFunc
	leading     atomic.Bool
	stopped     atomic.Bool

	// Auth authenticates posts and looks up DMARC policies; nil when off.
	Auth *mailauth.Checker
}

// Start opens the store and starts every listener; it returns once all
// are accepting.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (*Server, error) {
	st, err := sqldb.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, Store: st, addrs: map[string]string{}, Metrics: metrics.New()}
	if err := s.start(ctx); err != nil {
		s.abort()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context) error {
	secret, err := s.Store.Secret(ctx)
	if err != nil {
		return err
	}
	tokens := token.New(secret)
	if s.cfg.BaseURL != "" {
		// Operator commands print links with it (login-link, invitations).
		if err := s.Store.SetSetting(ctx, store.SettingBaseURL, s.cfg.BaseURL); err != nil {
			return err
		}
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancelBg = cancel
	s.pipe = pipeline.New(s.Store, s.log)
	s.pipe.Metrics = s.Metrics
	s.wireAuth()
	s.goBg(func() { s.pipe.Run(bg) })
	tr, err := s.transport()
	if err != nil {
		return err
	}
	dc := s.cfg.Delivery
	if dc.Node == "" {
		dc.Node = nodeName()
	}
	dc.BaseURL = s.cfg.BaseURL
	s.Engine = delivery.New(s.Store, tr, tokens, dc, s.log.With("part", "delivery"))
	s.Engine.Metrics = s.Metrics
	s.wireDKIM()
	s.wireMitigation()
	s.pipe.Accepted = s.Engine.Wake
	s.Inbox = inbox.New(s.Store, dc.Node, s.log.With("part", "inbox"))
	s.wireModeration(tokens)
	s.wireSubscriptions(tokens)
	s.wireDigests(tokens)
	s.wireNewsletters(tokens)
	s.wireBounces(tokens)
	s.pipe.Admin = s.Inbox.Wake
	s.wireArchive()
	s.goBg(func() { s.Inbox.Run(bg) })
	if err := s.wireFetch(bg, dc.Node); err != nil {
		return err
	}
	s.goBg(func() { s.Store.WatchWork(bg, s.Engine.Wake) })
	s.goBg(func() { s.Store.Lead(bg, "housekeeping", dc.Node, s.housekeep) })
	if s.cfg.Deliver {
		ectx, stop := context.WithCancel(bg)
		s.stopEng = stop
		s.engineWG.Add(1)
		go func() { defer s.engineWG.Done(); s.Engine.Run(ectx) }()
	}
	// Before SMTP: IMAP hooks the pipeline's after-commit wake-up.
	if err := s.listenIMAP(); err != nil {
		return err
	}
	if err := s.listenSMTP("smtp", s.cfg.SMTP, false); err != nil {
		return err
	}
	if err := s.listenSMTP("lmtp", s.cfg.LMTP, true); err != nil {
		return err
	}
	if err := s.listenHTTP(tokens, tr.Name() == "capture"); err != nil {
		return err
	}
	s.web.SetReady(true)
	s.log.Info("listserv ready", "smtp", s.addrs["smtp"], "lmtp", s.addrs["lmtp"], "http", s.addrs["http"],
		"imap", s.addrs["imap"], "relay", tr.Name(), "store", s.Store.Dialect(), "node", dc.Node, "delivery", s.cfg.Deliver)
	return nil
}

// housekeep runs on the one leading node until leadership ends.
func (s *Server) housekeep(ctx context.Context) {
	s.leading.Store(true)
	defer s.leading.Store(false)
	s.log.Info("leading housekeeping")
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if n, err := s.Store.Housekeep(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("housekeeping", "err", err)
		} else if n > 0 {
			s.log.Info("housekeeping", "chunks_removed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Leading reports whether this node currently runs the once-only jobs.
func (s *Server) Leading() bool { return s.leading.Load() }

func (s *Server) goBg(f func()) {
	s.bg.Add(1)
	go func() { defer s.bg.Done(); f() }()
}

func (s *Server) transport() (delivery.Transport, error) {
	if s.cfg.Relay == "" || s.cfg.Relay == "capture" {
		return delivery.NewCapture(s.Store), nil
	}
	return delivery.NewRelay(s.cfg.Relay, s.cfg.Hostname)
}

func (s *Server) listenSMTP(name, addr string, lmtp bool) error {
	if addr == "" || addr == "off" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s listener: %w", name, err)
	}
	c := s.cfg.SMTPIn
	c.Domain, c.LMTP = s.cfg.Hostname, lmtp
	c.Latency = &s.Metrics.SMTP
	if lmtp {
		c.Latency = &s.Metrics.LMTP
	}
	if s.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("%s TLS certificate: %w", name, err)
		}
		c.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	srv := smtpin.NewServer(c, s.pipe, s.log.With("part", name))
	s.smtp = append(s.smtp, srv.Server)
	s.addrs[name] = ln.Addr().String()
	go srv.Serve(ln)
	return nil
}

func (s *Server) listenHTTP(tokens *token.Maker, capture bool) error {
	opts := web.Options{Capture: capture, BaseURL: s.cfg.BaseURL, TrustedProxies: s.cfg.TrustedProxies, Ready: s.storeReady}
	opts.IMAP = s.imapPublic()
	mh := prom.Handler(s.Metrics, s.Store.Pending)
	if err := s.listenMetrics(mh); err != nil {
		return err
	}
	if s.cfg.Metrics == "" {
		opts.Metrics = mh
	}
	w, err := web.New(s.Store, s.webEngines(tokens), tokens, s.log.With("part", "web"), opts)
	if err != nil {
		return err
	}
	s.web = w
	ln, err := net.Listen("tcp", s.cfg.HTTP)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	s.addrs["http"] = ln.Addr().String()
	s.http = &http.Server{Handler: timed(&s.Metrics.HTTP, w.Handler()), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	go s.http.Serve(ln)
	return nil
}

// Addr returns the bound address of "smtp", "lmtp", "http", "imap" or "imaps".
func (s *Server) Addr(name string) string { return s.addrs[name] }

// ErrStopped: Shutdown was already called.
var ErrStopped = errors.New("server already stopped")

// Shutdown stops accepting, lets SMTP sessions finish (their posts commit),
// then lets deliveries in flight finish, and closes the store.
func (s *Server) Shutdown(ctx context.Context) error {
	if !s.stopped.CompareAndSwap(false, true) {
		return ErrStopped
	}
	var errs []error
	if s.web != nil {
		s.web.SetReady(false)
	}
	for _, srv := range s.smtp {
		if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	s.closeIMAP()
	if s.metricsHTTP != nil {
		s.metricsHTTP.Close()
	}
	if s.http != nil {
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if s.stopEng != nil {
		s.stopEng()
	}
	s.engineWG.Wait()
	s.cancelBg()
	s.bg.Wait()
	errs = append(errs, s.Store.Close())
	return errors.Join(errs...)
}

func (s *Server) abort() {
	for _, srv := range s.smtp {
		srv.Close()
	}
	s.closeIMAP()
	if s.http != nil {
		s.http.Close()
	}
	if s.stopEng != nil {
		s.stopEng()
	}
	s.engineWG.Wait()
	if s.cancelBg != nil {
		s.cancelBg()
	}
	s.bg.Wait()
	s.Store.Close()
}

func nodeName() string {
	h, _ := os.Hostname()
	return h + "-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano()%1e6, 36)
}
