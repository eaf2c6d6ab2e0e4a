// Package imapd is listserv's read-only IMAP server (go-imap v2's
// imapserver): a person signs in with their address and an app password
// and finds every list archive they may read as Lists/<list address>,
// with an empty INBOX beside them.
//
// Implementation notes:
//   - The archive is messages with a UID (store.IMAP); UIDVALIDITY is the
//     list's, set when the list was made, and UIDs only grow, so a
//     mailbox's UIDs are stable. Sequence numbers are positions in the
//     UID list the session loaded at SELECT, updated by Poll and Idle.
//   - The only writes are a reader's own \Seen and \Flagged, kept per
//     address, list and UID. go-imap does not enforce read-only mailboxes
//     (its SELECT always answers READ-WRITE, emersion/go-imap#672 calls
//     Expunge on CLOSE): every other change is refused here with NO
//     [NOPERM] and a sentence saying why. EXAMINE refuses flag changes too.
//   - Plaintext LOGIN needs TLS except from loopback: connections are
//     handed to one of two imapserver.Servers that differ only in
//     InsecureAuth, so CAPABILITY advertises LOGINDISABLED exactly when
//     LOGIN would be refused.
//   - Access is asked on every command that touches a list, so a member
//     removed from a members-only list loses it at their next command.
package imapd

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// Config is the server's optional parts.
type Config struct {
	// TLS enables STARTTLS and ServeTLS; nil offers neither.
	TLS *tls.Config
	// Access decides who reads which list; nil is ArchiveAccess.
	Access Access
	// Text answers SEARCH BODY and TEXT; nil scans the stored messages.
	Text TextSearcher
	// IdlePoll is how often an idling client's mailbox is checked for new
	// posts (default one second).
	IdlePoll time.Duration
	Log      *slog.Logger
}

// Server serves IMAP on any number of listeners.
type Server struct {
	st     Store
	auth   Authenticator
	cfg    Config
	log    *slog.Logger
	access Access
	text   TextSearcher
	// tlsOnly refuses LOGIN without TLS; loopback allows it.
	tlsOnly, loopback *imapserver.Server
	clientFails       *throttle
	accountFails      *throttle
	now               func() time.Time

	mu        sync.Mutex
	wake      chan struct{} // closed (and replaced) by Wake
	listeners []net.Listener
	handoff   map[*imapserver.Server]*chanListener
	closed    bool
}

// Caps: IMAP4rev2 needs NAMESPACE and MOVE (MOVE is refused); ESEARCH,
// SEARCHRES, LIST-STATUS and UIDPLUS come with it. IDLE, ENABLE and
// UNSELECT are always on after sign-in.
var caps = imap.CapSet{
	imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {},
	imap.CapNamespace: {}, imap.CapUIDPlus: {}, imap.CapLiteralPlus: {},
	imap.CapSpecialUse: {}, imap.CapChildren: {}, imap.CapListExtended: {}, imap.CapListStatus: {},
	imap.CapESearch: {}, imap.CapSearchRes: {}, imap.CapStatusSize: {},
}

// New returns a server over st that signs people in with auth.
func New(st Store, auth Authenticator, cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.IdlePoll <= 0 {
		cfg.IdlePoll = time.Second
	}
	s := &Server{st: st, auth: auth, cfg: cfg, log: cfg.Log, access: cfg.Access, text: cfg.Text,
		clientFails: newThrottle(failPerClient, failWindow), accountFails: newThrottle(failPerAccount, failWindow),
		now: time.Now, handoff: map[*imapserver.Server]*chanListener{}, wake: make(chan struct{})}
	if s.access == nil {
		s.access = ArchiveAccess{St: st}
	}
	if s.text == nil {
		s.text = ScanSearcher{St: st}
	}
	s.tlsOnly = s.newIMAP(false)
	s.loopback = s.newIMAP(true)
	return s
}

func (s *Server) newIMAP(insecureAuth bool) *imapserver.Server {
	return imapserver.New(&imapserver.Options{
		NewSession:   s.newSession,
		Caps:         caps,
		TLSConfig:    s.cfg.TLS,
		InsecureAuth: insecureAuth,
		Logger:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	})
}

// Serve accepts plaintext connections (STARTTLS when TLS is configured)
// on ln until Close.
func (s *Server) Serve(ln net.Listener) error { return s.serve(ln) }

// ServeTLS accepts implicit-TLS connections (IMAPS) on ln until Close.
func (s *Server) ServeTLS(ln net.Listener) error {
	if s.cfg.TLS == nil {
		return errors.New("imapd: implicit TLS needs a certificate")
	}
	return s.serve(tls.NewListener(ln, s.cfg.TLS))
}

// serve hands each connection to the loopback or the TLS-only server.
func (s *Server) serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return net.ErrClosed
	}
	s.listeners = append(s.listeners, ln)
	s.mu.Unlock()
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		target := s.tlsOnly
		if isLoopback(c.RemoteAddr()) {
			target = s.loopback
		}
		if !s.handTo(target, c) {
			c.Close()
			return nil
		}
	}
}

// handTo passes c to srv through its in-memory listener (started on
// first use).
func (s *Server) handTo(srv *imapserver.Server, c net.Conn) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	cl := s.handoff[srv]
	if cl == nil {
		cl = newChanListener()
		s.handoff[srv] = cl
		go srv.Serve(cl)
	}
	s.mu.Unlock()
	return cl.put(c)
}

// Wake tells idling clients on this node to look for new posts now (the
// intake pipeline calls it after a commit); other nodes' posts are found
// by the IdlePoll tick.
func (s *Server) Wake() {
	s.mu.Lock()
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}

func (s *Server) woken() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wake
}

// Close stops every listener and closes every connection.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var errs []error
	for _, ln := range s.listeners {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	for _, cl := range s.handoff {
		cl.Close()
	}
	s.mu.Unlock()
	s.tlsOnly.Close()
	s.loopback.Close()
	return errors.Join(errs...)
}

func isLoopback(a net.Addr) bool {
	ap, err := netip.ParseAddrPort(a.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// chanListener is a net.Listener fed by our own accept loop.
type chanListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newChanListener() *chanListener {
	return &chanListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) put(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
