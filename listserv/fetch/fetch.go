// Package fetch reads hosted mailboxes (IMAP, go-imap v2's imapclient) as
// a way in: each new message goes through the same intake pipeline as
// SMTP (checks, policy, moderation, group commit) and is then marked
// \Seen in the mailbox. Every message enters once, across restarts and
// reconnects: what was taken is recorded under the mailbox, its
// UIDVALIDITY and the message's UID, and a message without a Message-ID
// gets one made from those, so the pipeline's duplicate check also
// covers a crash between the commit and the record.
package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Store is what ingestion records.
type Store interface {
	Fetched(ctx context.Context, source string, uidValidity, uid uint32) (string, error)
	MarkFetched(ctx context.Context, source string, uidValidity, uid uint32, outcome string) error
	LastFetched(ctx context.Context, source string, uidValidity uint32) (uint32, error)
}

// Fetcher reads one mailbox until its context ends.
type Fetcher struct {
	src *Source
	in  Intake
	st  Store
	log *slog.Logger
	// Poll is how often a server without IDLE is asked (default 1 min);
	// IdleMax restarts IDLE (default 10 min), and checks the mailbox.
	Poll, IdleMax time.Duration
	// MinBackoff and MaxBackoff bound the wait after an error (doubling).
	MinBackoff, MaxBackoff time.Duration
	// TLS is the client TLS configuration (nil: system roots, ServerName
	// from the URL).
	TLS *tls.Config
}

// New returns a fetcher of src into in.
func New(src *Source, in Intake, st Store, log *slog.Logger) *Fetcher {
	return &Fetcher{src: src, in: in, st: st, log: log.With("fetch", src.Key),
		Poll: time.Minute, IdleMax: 10 * time.Minute, MinBackoff: time.Second, MaxBackoff: 5 * time.Minute}
}

// Run connects, takes what is new, waits for more (IDLE, or polling),
// and on any error logs it, backs off and starts again, until ctx ends.
func (f *Fetcher) Run(ctx context.Context) {
	wait := f.MinBackoff
	for ctx.Err() == nil {
		start := time.Now()
		err := f.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > 2*f.MaxBackoff {
			wait = f.MinBackoff // it had been working: start the backoff again
		}
		f.log.Warn("IMAP ingestion: will retry", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, f.MaxBackoff)
	}
}

// session is one connection: log in, select, then drain and wait until
// an error or ctx ends.
func (f *Fetcher) session(ctx context.Context) error {
	news := make(chan struct{}, 1)
	c, err := f.dial(news)
	if err != nil {
		return fmt.Errorf("connect %s: %w", f.src.Addr, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(f.src.User, f.src.Pass).Wait(); err != nil {
		return fmt.Errorf("log in as %s: %w", f.src.User, err)
	}
	sel, err := c.Select(f.src.Mailbox, nil).Wait()
	if err != nil {
		return fmt.Errorf("select %s: %w", f.src.Mailbox, err)
	}
	f.log.Info("IMAP ingestion connected", "mailbox", f.src.Mailbox, "messages", sel.NumMessages, "uidvalidity", sel.UIDValidity)
	for {
		if err := f.drain(ctx, c, sel.UIDValidity); err != nil {
			return err
		}
		if err := f.wait(ctx, c, news); err != nil {
			return err
		}
	}
}

func (f *Fetcher) dial(news chan struct{}) (*imapclient.Client, error) {
	opts := &imapclient.Options{
		TLSConfig: f.tlsConfig(),
		Dialer:    &net.Dialer{Timeout: 30 * time.Second},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case news <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	if f.src.Implicit {
		return imapclient.DialTLS(f.src.Addr, opts)
	}
	c, err := imapclient.DialInsecure(f.src.Addr, opts)
	if err != nil {
		return nil, err
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, err
	}
	if c.Caps().Has(imap.CapStartTLS) {
		c.Close()
		return imapclient.DialStartTLS(f.src.Addr, opts)
	}
	if !loopback(f.src.Addr) {
		c.Close()
		return nil, errors.New("the server offers no STARTTLS: refusing to send the password in clear (use imaps://)")
	}
	return c, nil
}

func (f *Fetcher) tlsConfig() *tls.Config {
	if f.TLS != nil {
		return f.TLS
	}
	host, _, _ := net.SplitHostPort(f.src.Addr)
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// wait idles until the server reports new messages (or IdleMax, or ctx),
// or polls with NOOP where IDLE is not offered.
func (f *Fetcher) wait(ctx context.Context, c *imapclient.Client, news chan struct{}) error {
	if !c.Caps().Has(imap.CapIdle) && !c.Caps().Has(imap.CapIMAP4rev2) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(f.Poll):
		}
		return c.Noop().Wait()
	}
	idle, err := c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	t := time.NewTimer(f.IdleMax)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-news:
	case <-t.C:
	case <-c.Closed():
	}
	if err := idle.Close(); err != nil {
		return fmt.Errorf("end idle: %w", err)
	}
	if err := idle.Wait(); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	return ctx.Err()
}
