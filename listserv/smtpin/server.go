// Package smtpin is the inbound SMTP and LMTP front door (go-smtp). It
// accepts RCPT only for addresses the pipeline resolves, so it can never
// relay, and it answers 250 to DATA only after the pipeline has made the
// message durable.
package smtpin

import (
	"crypto/tls"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/metrics"
	"github.com/demnet-uk/listserv/listserv/pipeline"
)

// Config are the front door's limits.
type Config struct {
	Domain          string // greeting name
	MaxMessageBytes int64  // 552 5.3.4 above it
	MaxRecipients   int    // 452 4.5.3 above it
	// ReadTimeout bounds each command line from the moment go-smtp starts
	// reading it (a slow client cannot stretch it); WriteTimeout each reply.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// DataTimeout bounds one whole DATA or BDAT transfer, SessionTimeout a
	// whole connection; MaxConns is the most connections at once and
	// MaxConnsPerClient the most from one client address (IPv6: a /64).
	// Each is answered 421 4.7.0; zero means no limit.
	DataTimeout       time.Duration
	SessionTimeout    time.Duration
	MaxConns          int
	MaxConnsPerClient int
	LMTP              bool
	// TLS, when set, offers STARTTLS (RFC 3207) to SMTP clients.
	TLS *tls.Config
	// Latency, when set, records how long each message took from DATA
	// to the reply.
	Latency *metrics.Histogram
}

// DefaultConfig is what serve uses unless told otherwise. 20 connections
// per client is what Postfix opens to one LMTP destination by default
// (default_destination_concurrency_limit).
func DefaultConfig() Config {
	return Config{Domain: "localhost", MaxMessageBytes: 10 << 20, MaxRecipients: 50,
		ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute,
		DataTimeout: 10 * time.Minute, SessionTimeout: 30 * time.Minute,
		MaxConns: 200, MaxConnsPerClient: 20}
}

// Server is a go-smtp server whose Serve applies Config's connection
// limits and deadlines; serve it with Serve, not ListenAndServe.
type Server struct {
	*smtp.Server
	lim *limiter
}

// Serve accepts connections on l within the limits.
func (s *Server) Serve(l net.Listener) error {
	return s.Server.Serve(limitListener{Listener: l, l: s.lim})
}

// NewServer returns a go-smtp server backed by the pipeline.
func NewServer(cfg Config, p *pipeline.Pipeline, logger *slog.Logger) *Server {
	be := &backend{p: p, log: logger, lmtp: cfg.LMTP, latency: cfg.Latency}
	s := smtp.NewServer(be)
	s.Domain = cfg.Domain
	s.LMTP = cfg.LMTP
	s.MaxMessageBytes = cfg.MaxMessageBytes
	s.MaxRecipients = cfg.MaxRecipients
	s.ReadTimeout, s.WriteTimeout = cfg.ReadTimeout, cfg.WriteTimeout
	s.EnableSMTPUTF8 = true
	if cfg.TLS != nil && !cfg.LMTP {
		s.TLSConfig = cfg.TLS
	}
	s.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	return &Server{Server: s, lim: newLimiter(cfg, logger)}
}

type backend struct {
	p       *pipeline.Pipeline
	log     *slog.Logger
	lmtp    bool
	latency *metrics.Histogram
}

// observe records the time since start, when latency is measured.
func (b *backend) observe(start time.Time) {
	if b.latency != nil {
		b.latency.Observe(time.Since(start))
	}
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s := &session{b: b, conn: limitConnOf(c.Conn()), remote: c.Conn().RemoteAddr().String(), transport: "smtp", helo: c.Hostname()}
	if b.lmtp {
		s.transport = "lmtp"
		return &lmtpSession{s}, nil
	}
	return s, nil
}
