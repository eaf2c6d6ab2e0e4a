package delivery

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
	gsmtp "github.com/wneessen/go-mail/smtp"
)

// Relay sends through an SMTP server with go-mail: smtp://host:port uses
// STARTTLS when offered; smtps://user:pass@host:465 uses implicit TLS.
type Relay struct {
	client *mail.Client
	url    string
}

// NewRelay parses a relay URL.
func NewRelay(raw, helo string) (*Relay, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("relay %q: want smtp://host:port or smtps://user:pass@host:465", raw)
	}
	opts := []mail.Option{mail.WithHELO(helo), mail.WithTimeout(60 * time.Second), mail.WithoutNoop()}
	port := 25
	switch u.Scheme {
	case "smtp":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "smtps":
		port = 465
		opts = append(opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("relay %q: scheme must be smtp or smtps", raw)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("relay %q: bad port", raw)
		}
	}
	opts = append(opts, mail.WithPort(port), mail.WithTLSConfig(&tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}))
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	c, err := mail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("relay %q: %w", raw, err)
	}
	u.User = nil
	return &Relay{client: c, url: u.String()}, nil
}

// Name is the relay URL without credentials.
func (r *Relay) Name() string { return r.url }

// Dial opens one connection (EHLO, STARTTLS, AUTH done by go-mail).
func (r *Relay) Dial(ctx context.Context) (Conn, error) {
	sc, err := r.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, classify(err)
	}
	return newRelayConn(sc), nil
}

type relayConn struct {
	c         *gsmtp.Client
	pipelined bool   // server offers PIPELINING (RFC 2920)
	utf8      bool   // server offers SMTPUTF8 (RFC 6531)
	mailOpts  string // " BODY=8BITMIME" when offered
	dirty     bool   // a transaction failed half way: RSET before the next
	out       []byte // one copy's head, body and final dot, reused
	ahead     announced
}

func newRelayConn(sc *gsmtp.Client) *relayConn {
	c := &relayConn{c: sc}
	c.pipelined, _ = sc.Extension("PIPELINING")
	c.utf8, _ = sc.Extension("SMTPUTF8")
	if ok, _ := sc.Extension("8BITMIME"); ok {
		c.mailOpts = " BODY=8BITMIME"
	}
	return c
}

// Send writes pre-rendered bytes through go-mail's SMTP connection: no Msg
// is built per copy (API-NOTES section 9: that costs a third of the
// throughput). With PIPELINING, MAIL, RCPT and DATA go out in one write
// and the body, stuffed once per post, in a second; when the copy names
// the next one (Copy.NextTo), the next MAIL, RCPT and DATA follow the body
// in the same write (RFC 2920 section 3.1), so a fan-out costs one round
// trip a copy.
func (c *relayConn) Send(ctx context.Context, _ int64, from, to string, cp *Copy) error {
	if dl, ok := ctx.Deadline(); ok {
		c.c.UpdateDeadline(time.Until(dl))
	}
	if a := c.ahead; a.set {
		c.ahead = announced{}
		switch {
		case a.from == from && a.to == to && a.err != nil:
			return a.err
		case a.from == from && a.to == to:
			return c.writeBody(cp) // the server is waiting for this body
		case a.open:
			c.ahead = a // so Close does not say QUIT into the body
			return &SendError{Text: "connection holds an open transaction for another copy", Broken: true}
		}
	}
	if c.dirty {
		if err := c.c.Reset(); err != nil {
			return classify(err)
		}
		c.dirty = false
	}
	if err := c.check(from, to); err != nil {
		return err
	}
	if !c.pipelined {
		return c.sendPlain(from, to, cp, hasNonASCII(from+to))
	}
	t := c.c.Text
	t.W.WriteString(c.envelope(from, to))
	if err := t.W.Flush(); err != nil {
		return &SendError{Text: err.Error(), Broken: true}
	}
	if err := c.readEnvelope(); err != nil {
		return err
	}
	return c.writeBody(cp)
}

// announced is the transaction opened ahead for the next copy.
type announced struct {
	set      bool
	from, to string
	open     bool  // DATA was answered 354: the server waits for the body
	err      error // refused instead
}

// check refuses addresses that cannot go out on this connection.
func (c *relayConn) check(from, to string) error {
	if strings.ContainsAny(from+to, "\r\n<>") {
		return &SendError{Code: 501, Enhanced: "5.1.3", Text: "address contains forbidden characters"}
	}
	if hasNonASCII(from+to) && !c.utf8 {
		return errNoSMTPUTF8
	}
	return nil
}

// envelope is MAIL, RCPT and DATA for one copy, pipelined.
func (c *relayConn) envelope(from, to string) string {
	opts := c.mailOpts
	if hasNonASCII(from + to) {
		opts += " SMTPUTF8"
	}
	return "MAIL FROM:<" + from + ">" + opts + "\r\nRCPT TO:<" + to + ">\r\nDATA\r\n"
}

// readEnvelope reads the three replies to envelope.
func (c *relayConn) readEnvelope() error {
	t := c.c.Text
	_, _, errMail := t.ReadResponse(250)
	_, _, errRcpt := t.ReadResponse(25)
	_, _, errData := t.ReadResponse(354)
	err := firstErr(errMail, errRcpt, errData)
	if err == nil {
		return nil
	}
	if errData == nil { // server wants a body after all: end it empty, then reset
		t.W.WriteString(".\r\n")
		t.W.Flush()
		t.ReadResponse(250)
	}
	c.dirty = true
	se := classify(err)
	se.PerRcpt = errMail == nil && errRcpt != nil
	return se
}

// writeBody sends the copy, and the next copy's envelope when it names
// one, in one write system call: assembled here, a copy larger than the
// connection's 4 KB buffer goes straight to the socket, where writing head
// and body separately took two (a third of the fan-out's CPU is these
// system calls).
func (c *relayConn) writeBody(cp *Copy) error {
	t := c.c.Text
	body := cp.Stuffed
	if body == nil {
		body = dotStuff(cp.Body)
	}
	c.out = append(append(append(c.out[:0], cp.Head...), body...), ".\r\n"...)
	ahead := cp.NextTo != "" && c.check(cp.NextFrom, cp.NextTo) == nil
	if ahead {
		c.out = append(c.out, c.envelope(cp.NextFrom, cp.NextTo)...)
	}
	t.W.Write(c.out)
	if err := t.W.Flush(); err != nil {
		return &SendError{Text: err.Error(), Broken: true}
	}
	var res *SendError
	if _, _, err := t.ReadResponse(250); err != nil {
		res = classify(err)
		res.PerRcpt = res.Code != 0 // one recipient per transaction
		if res.Broken {
			return res
		}
	}
	if ahead {
		c.ahead = announced{set: true, from: cp.NextFrom, to: cp.NextTo}
		if err := c.readEnvelope(); err != nil {
			c.ahead.err = err
		} else {
			c.ahead.open = true
		}
	}
	if res != nil {
		return res
	}
	return nil
}

// errNoSMTPUTF8: a non-ASCII address cannot go through a relay that does
// not offer SMTPUTF8 (RFC 6531 section 3.4); it will not on a retry either.
var errNoSMTPUTF8 = &SendError{Code: 553, Enhanced: "5.6.7",
	Text: "address is not ASCII and the relay does not offer SMTPUTF8"}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// sendPlain is for servers without PIPELINING: one command at a time.
// go-mail adds SMTPUTF8 when offered; we ask for it only when needed.
func (c *relayConn) sendPlain(from, to string, cp *Copy, utf8 bool) error {
	c.c.SkipSMTPUTF8(!utf8)
	if err := c.c.Mail("<" + from + ">"); err != nil {
		c.dirty = true
		return classify(err)
	}
	if err := c.c.Rcpt("<" + to + ">"); err != nil {
		c.dirty = true
		se := classify(err)
		se.PerRcpt = true
		return se
	}
	w, err := c.c.Data()
	if err != nil {
		c.dirty = true
		return classify(err)
	}
	if _, err := w.Write(cp.Bytes()); err != nil {
		return &SendError{Text: err.Error(), Broken: true}
	}
	if err := w.Close(); err != nil {
		se := classify(err)
		se.PerRcpt = true
		return se
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (c *relayConn) Flush(context.Context) error { return nil }

// Close says QUIT, except inside an announced transaction, where QUIT
// would be body text: closing there makes the server drop it unsent.
func (c *relayConn) Close() error {
	if !c.ahead.open {
		c.c.Quit()
	}
	return c.c.Close()
}
