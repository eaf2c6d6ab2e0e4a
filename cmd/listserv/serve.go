package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/smtpin"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/web"
)

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	f := newFlags("serve")
	smtpAddr := f.str("smtp", "LISTSERV_SMTP", "127.0.0.1:2525", "SMTP listen address, or off")
	lmtpAddr := f.str("lmtp", "LISTSERV_LMTP", "off", "LMTP listen address (behind Postfix), or off")
	imapAddr := f.str("imap", "LISTSERV_IMAP", "127.0.0.1:1143", "IMAP listen address, or off")
	imapsAddr := f.str("imaps", "LISTSERV_IMAPS", "off", "IMAP over implicit TLS listen address (needs --tls-cert), or off")
	var fetch fetchURLs
	f.Var(&fetch, "fetch", "read a hosted mailbox as a way in, e.g. imaps://user:pass@host/INBOX?list=team@lists.example.org (repeatable; $LISTSERV_FETCH: space-separated)")
	httpAddr := f.str("http", "LISTSERV_HTTP", "127.0.0.1:8080", "HTTP listen address")
	relay := f.str("relay", "LISTSERV_RELAY", "capture", "capture, smtp://host:port (STARTTLS when offered) or smtps://user:pass@host:465")
	baseURL := f.str("base-url", "LISTSERV_BASE_URL", "", "public URL of the web UI (default http://HTTP-ADDRESS)")
	hostname := f.str("hostname", "LISTSERV_HOSTNAME", "localhost", "name in the SMTP greeting and outbound HELO")
	site := f.str("site-address", "LISTSERV_SITE_ADDRESS", "", "sender of mail that belongs to no list, such as sign-in links (default listserv@HOSTNAME)")
	deliver := f.str("delivery", "LISTSERV_DELIVERY", "on", "on, or off to pause outbound delivery (intake still works)")
	workers := f.str("workers", "LISTSERV_WORKERS", "8", "connections to the relay at most")
	chunk := f.str("chunk-size", "LISTSERV_CHUNK_SIZE", "200", "members per delivery chunk")
	lease := f.str("lease", "LISTSERV_LEASE", "30s", "how long a node may hold a chunk before others take it over")
	retryBase := f.str("retry-base", "LISTSERV_RETRY_BASE", "1m", "first retry delay after a temporary failure (doubles)")
	maxSize := f.str("max-message-size", "LISTSERV_MAX_MESSAGE_SIZE", "10485760", "largest message accepted, in bytes")
	maxRcpt := f.str("max-recipients", "LISTSERV_MAX_RECIPIENTS", "50", "RCPT commands per message")
	timeout := f.str("smtp-timeout", "LISTSERV_SMTP_TIMEOUT", "5m", "SMTP/LMTP time for one command line (and one reply)")
	dataTimeout := f.str("smtp-data-timeout", "LISTSERV_SMTP_DATA_TIMEOUT", "10m", "SMTP/LMTP time for one whole message (DATA or BDAT)")
	sessionTimeout := f.str("smtp-session-timeout", "LISTSERV_SMTP_SESSION_TIMEOUT", "30m", "SMTP/LMTP time for one whole connection")
	maxConns := f.str("smtp-max-conns", "LISTSERV_SMTP_MAX_CONNS", "200", "SMTP/LMTP connections at once, per listener")
	maxPerClient := f.str("smtp-max-conns-per-client", "LISTSERV_SMTP_MAX_CONNS_PER_CLIENT", "20", "SMTP/LMTP connections at once from one client address (IPv6: one /64), per listener")
	tlsCert := f.str("tls-cert", "LISTSERV_TLS_CERT", "", "PEM certificate chain: offer STARTTLS on the SMTP and IMAP listeners (and serve --imaps)")
	tlsKey := f.str("tls-key", "LISTSERV_TLS_KEY", "", "PEM private key for --tls-cert")
	modPoll := f.str("moderation-poll", "LISTSERV_MODERATION_POLL", "1s", "how often new held items are looked for (moderator notices)")
	modInterval := f.str("moderation-interval", "LISTSERV_MODERATION_INTERVAL", "10m", "how often held items expire and reminders go out")
	modRemind := f.str("moderation-remind-after", "LISTSERV_MODERATION_REMIND_AFTER", "12h", "remind moderators of items older than this")
	bounceWindow := f.str("bounce-window", "LISTSERV_BOUNCE_WINDOW", "168h", "bounces older than this stop counting towards a member's score")
	bounceThreshold := f.str("bounce-threshold", "LISTSERV_BOUNCE_THRESHOLD", "5", "bounce score (permanent 1, temporary 0.5, one of each a day) at which delivery is disabled")
	proxies := f.str("trusted-proxies", "LISTSERV_TRUSTED_PROXIES", "", "comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For names the web client (default none)")
	metricsAddr := f.str("metrics", "LISTSERV_METRICS", "", "listen address for /metrics alone (default: on the web port, to loopback clients only)")
	logLevel := f.str("log-level", "LISTSERV_LOG_LEVEL", "info", "debug, info, warn or error")
	logFormat := f.str("log-format", "LISTSERV_LOG_FORMAT", "text", "text or json")
	applyAuth := authFlags(f)
	applyDomains := domainLimitFlags(f)
	if _, err := f.parse(args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		return err
	}
	cfg := server.Config{DB: f.dbURL(), SMTP: *smtpAddr, LMTP: *lmtpAddr, IMAP: *imapAddr, HTTP: *httpAddr,
		Relay: *relay, BaseURL: *baseURL, Hostname: *hostname, SiteAddress: *site, SMTPIn: smtpin.DefaultConfig(), Delivery: delivery.DefaultConfig()}
	cfg.TLSCert, cfg.TLSKey = *tlsCert, *tlsKey
	cfg.IMAPS = *imapsAddr
	if cfg.Fetch, err = fetch.urls(); err != nil {
		return err
	}
	cfg.Metrics = *metricsAddr
	if (*tlsCert == "") != (*tlsKey == "") {
		return fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
	}
	if cfg.TrustedProxies, err = web.ParseTrustedProxies(*proxies); err != nil {
		return fmt.Errorf("%w: --trusted-proxies: %w", errUsage, err)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + *httpAddr
	}
	if cfg.Deliver, err = onOff("delivery", *deliver); err != nil {
		return err
	}
	p := parser{}
	cfg.Delivery.Workers = p.int("workers", *workers)
	cfg.Delivery.ChunkSize = p.int("chunk-size", *chunk)
	cfg.Delivery.Lease = p.dur("lease", *lease)
	cfg.Delivery.RetryBase = p.dur("retry-base", *retryBase)
	cfg.SMTPIn.MaxMessageBytes = int64(p.int("max-message-size", *maxSize))
	cfg.SMTPIn.MaxRecipients = p.int("max-recipients", *maxRcpt)
	cfg.SMTPIn.ReadTimeout = p.dur("smtp-timeout", *timeout)
	cfg.SMTPIn.WriteTimeout = cfg.SMTPIn.ReadTimeout
	cfg.SMTPIn.DataTimeout = p.dur("smtp-data-timeout", *dataTimeout)
	cfg.SMTPIn.SessionTimeout = p.dur("smtp-session-timeout", *sessionTimeout)
	cfg.SMTPIn.MaxConns = p.int("smtp-max-conns", *maxConns)
	cfg.SMTPIn.MaxConnsPerClient = p.int("smtp-max-conns-per-client", *maxPerClient)
	cfg.Moderation.Poll = p.dur("moderation-poll", *modPoll)
	cfg.Moderation.Interval = p.dur("moderation-interval", *modInterval)
	cfg.Moderation.RemindAfter = p.dur("moderation-remind-after", *modRemind)
	cfg.Bounces.Window = p.dur("bounce-window", *bounceWindow)
	cfg.Bounces.Threshold = float64(p.int("bounce-threshold", *bounceThreshold))
	if p.err != nil {
		return p.err
	}
	if err := applyAuth(&cfg); err != nil {
		return err
	}
	if err := applyDomains(&cfg.Delivery); err != nil {
		return err
	}
	if path := os.Getenv("LISTSERV_CPUPROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return err
		}
		defer stop()
	}
	dbPath, err := sqldb.SQLitePath(cfg.DB)
	if err != nil {
		return err
	}
	if dbPath != "" {
		// Held for the whole run: restore refuses while it is held.
		if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
			return err
		}
		lock, err := lockData(dbPath, false)
		if err != nil {
			return err
		}
		defer lock.Close()
	}
	srv, err := server.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("shutting down: finishing SMTP sessions and deliveries in flight")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}

// startCPUProfile writes a pprof CPU profile until stop is called (for the
// benchmark: LISTSERV_CPUPROFILE=FILE).
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("%w: --log-level %q", errUsage, level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%w: --log-format must be text or json", errUsage)
}

func onOff(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true", "1", "yes":
		return true, nil
	case "off", "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("%w: --%s must be on or off", errUsage, name)
}

// parser collects the first bad number or duration.
type parser struct{ err error }

func (p *parser) int(name, v string) int {
	n, err := strconv.Atoi(v)
	if (err != nil || n <= 0) && p.err == nil {
		p.err = fmt.Errorf("%w: --%s must be a positive number, not %q", errUsage, name, v)
	}
	return n
}

func (p *parser) dur(name, v string) time.Duration {
	d, err := time.ParseDuration(v)
	if (err != nil || d <= 0) && p.err == nil {
		p.err = fmt.Errorf("%w: --%s must be a duration such as 30s, not %q", errUsage, name, v)
	}
	return d
}
