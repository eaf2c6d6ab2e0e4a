// Package smtpin is the inbound SMTP and LMTP front door (go-smtp). It
// accepts RCPT only for addresses the pipeline resolves, so it can never
// relay, and it answers 250 to DATA only after the pipeline has made the
// message durable.
package smtpin

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/pipeline"
)

// Config are the front door's limits.
type Config struct {
	Domain          string // greeting name
	MaxMessageBytes int64  // 552 5.3.4 above it
	MaxRecipients   int    // 452 4.5.3 above it
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	LMTP            bool
	// TLS, when set, offers STARTTLS (RFC 3207) to SMTP clients.
	TLS *tls.Config
}

// DefaultConfig is what serve uses unless told otherwise.
func DefaultConfig() Config {
	return Config{Domain: "localhost", MaxMessageBytes: 10 << 20, MaxRecipients: 50,
		ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute}
}

// NewServer returns a go-smtp server backed by the pipeline.
func NewServer(cfg Config, p *pipeline.Pipeline, logger *slog.Logger) *smtp.Server {
	be := &backend{p: p, log: logger, lmtp: cfg.LMTP}
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
	return s
}

type backend struct {
	p    *pipeline.Pipeline
	log  *slog.Logger
	lmtp bool
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s := &session{b: b, remote: c.Conn().RemoteAddr().String(), transport: "smtp"}
	if b.lmtp {
		s.transport = "lmtp"
		return &lmtpSession{s}, nil
	}
	return s, nil
}
