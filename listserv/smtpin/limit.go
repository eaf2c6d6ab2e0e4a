package smtpin

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"
)

// Connection limits and deadlines. go-smtp counts its ReadTimeout per
// line and never bounds a connection as a whole, so a client dripping
// one byte a second, or sending NOOP every few minutes, holds a
// connection for ever. The listener here counts connections (in total
// and per client address) and wraps each one so that a slow client cannot
// stretch a deadline: a command line has ReadTimeout from the moment its
// read starts (an absolute deadline, not one per byte), a whole DATA or
// BDAT transfer has DataTimeout, and the whole connection SessionTimeout.
// Every limit is answered "421 4.7.0" and the connection is closed.

// limiter admits connections and holds the deadlines they get.
type limiter struct {
	maxConns, perClient int
	data, session       time.Duration
	log                 *slog.Logger

	mu    sync.Mutex
	total int
	by    map[string]int
}

func newLimiter(cfg Config, log *slog.Logger) *limiter {
	return &limiter{maxConns: cfg.MaxConns, perClient: cfg.MaxConnsPerClient,
		data: cfg.DataTimeout, session: cfg.SessionTimeout, log: log, by: map[string]int{}}
}

// admit counts a new connection from client, or says why it may not come in.
func (l *limiter) admit(client string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.maxConns > 0 && l.total >= l.maxConns {
		return fmt.Sprintf("Too many connections (%d), try again later", l.maxConns)
	}
	if client != "" && l.perClient > 0 && l.by[client] >= l.perClient {
		return fmt.Sprintf("Too many connections from your address (%d), try again later", l.perClient)
	}
	l.total++
	if client != "" {
		l.by[client]++
	}
	return ""
}

func (l *limiter) release(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if client == "" {
		return
	}
	if l.by[client]--; l.by[client] <= 0 {
		delete(l.by, client)
	}
}

// clientKey is what the per-client limit counts: the IP address, or its
// /64 for IPv6 (one host easily has a whole /64). Unix sockets have none.
func clientKey(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return ""
	}
	if ip4 := ta.IP.To4(); ip4 != nil {
		return ip4.String()
	}
	return ta.IP.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

type limitListener struct {
	net.Listener
	l *limiter
}

func (ll limitListener) Accept() (net.Conn, error) {
	for {
		c, err := ll.Listener.Accept()
		if err != nil {
			return nil, err
		}
		client := clientKey(c.RemoteAddr())
		if why := ll.l.admit(client); why != "" {
			ll.l.log.Info("connection refused", "remote", c.RemoteAddr().String(), "reason", why)
			go refuse(c, why)
			continue
		}
		return newLimitConn(c, ll.l, client), nil
	}
}

// refuse answers 421 instead of the greeting (RFC 5321 section 3.1).
func refuse(c net.Conn, why string) {
	defer c.Close()
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "421 4.7.0 "+why+"\r\n")
}

// limitConn enforces the deadlines on one connection. go-smtp sets the
// read deadline before each command; SetReadDeadline keeps that as the
// command deadline, replaces it by the DATA deadline while a message is
// read, and never lets either pass the session deadline.
type limitConn struct {
	net.Conn
	l          *limiter
	client     string
	sessionEnd time.Time // zero: no cap
	closeOnce  sync.Once

	mu      sync.Mutex
	want    time.Time // what go-smtp asked for (ReadTimeout per command)
	dataEnd time.Time // zero unless a DATA or BDAT transfer is running
	cause   string    // which limit the current deadline is
	tls     *tls.Conn // the TLS layer above, once the session knows it
	dead    bool      // a limit was hit: reads end, the 421 was sent
	muted   bool      // after the 421 nothing more is written
}

func newLimitConn(c net.Conn, l *limiter, client string) *limitConn {
	lc := &limitConn{Conn: c, l: l, client: client}
	if l.session > 0 {
		lc.sessionEnd = time.Now().Add(l.session)
		c.SetReadDeadline(lc.sessionEnd)
		lc.cause = "session"
	}
	return lc
}

// limitConnOf finds the limitConn under c (which may be TLS over it), or nil.
func limitConnOf(c net.Conn) *limitConn {
	if tc, ok := c.(*tls.Conn); ok {
		lc := limitConnOf(tc.NetConn())
		if lc != nil {
			lc.mu.Lock()
			lc.tls = tc
			lc.mu.Unlock()
		}
		return lc
	}
	lc, _ := c.(*limitConn)
	return lc
}

func (c *limitConn) Close() error {
	c.closeOnce.Do(func() { c.l.release(c.client) })
	return c.Conn.Close()
}

func (c *limitConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

func (c *limitConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want = t
	return c.applyLocked()
}

// applyLocked sets the effective read deadline and remembers its cause.
func (c *limitConn) applyLocked() error {
	d, cause := c.want, "command"
	if !c.dataEnd.IsZero() {
		d, cause = c.dataEnd, "data"
	}
	if !c.sessionEnd.IsZero() && (d.IsZero() || c.sessionEnd.Before(d)) {
		d, cause = c.sessionEnd, "session"
	}
	c.cause = cause
	return c.Conn.SetReadDeadline(d)
}

// startData starts the DATA deadline; nil-safe for sessions served
// without the limit listener.
func (c *limitConn) startData() {
	if c == nil || c.l.data <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dataEnd = time.Now().Add(c.l.data)
	c.applyLocked()
}

func (c *limitConn) endData() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dataEnd.IsZero() {
		c.dataEnd = time.Time{}
		c.applyLocked()
	}
}

// expired reports whether a limit was hit (the session refuses to go on).
func (c *limitConn) expired() bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead
}

func (c *limitConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	dead := c.dead
	c.mu.Unlock()
	if dead {
		return 0, io.EOF
	}
	n, err := c.Conn.Read(b)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		c.expire()
		return n, io.EOF
	}
	return n, err
}

func (c *limitConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	muted := c.muted
	c.mu.Unlock()
	if muted {
		return len(b), nil // the 421 was the last word
	}
	return c.Conn.Write(b)
}

var limitText = map[string]string{
	"command": "No complete command in time, closing connection",
	"data":    "Message not received in time, closing connection",
	"session": "Connection lasted too long, closing connection",
}

// expire says 421 4.7.0 (through TLS when the session runs over it),
// then ends every read and silences go-smtp's own last replies.
func (c *limitConn) expire() {
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return
	}
	c.dead = true
	cause, tc := c.cause, c.tls
	c.mu.Unlock()
	c.l.log.Info("time limit reached", "remote", c.RemoteAddr().String(), "limit", cause)
	var w io.Writer = c.Conn
	if tc != nil {
		w = tc
	}
	c.Conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(w, "421 4.7.0 "+limitText[cause]+"\r\n")
	c.mu.Lock()
	c.muted = true
	c.mu.Unlock()
}
