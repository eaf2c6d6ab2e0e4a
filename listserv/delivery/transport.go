// Package delivery works the outbound queue: it cuts fan-outs into leased
// chunks, renders each post once, splices per-member headers and VERP
// envelope senders, and sends copies over pooled connections to the relay
// (or captures them in the store when no relay is configured).
package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"
)

// Transport opens connections to where copies go.
type Transport interface {
	Dial(ctx context.Context) (Conn, error)
	Name() string
}

// Copy is one message to send: a header and a body kept apart so the body
// (shared by every member's copy) is never copied or re-stuffed per copy.
type Copy struct {
	Head    []byte // header fields, CRLF ended; may be empty
	Body    []byte // the blank line and body (or a whole message when Head is empty)
	Stuffed []byte // Body dot-stuffed, ending in CRLF; nil: the transport stuffs it
	// NextFrom and NextTo are the envelope of the copy the caller sends
	// next on this connection, if it knows: a relay opens that transaction
	// with this one's end. Sending anything else next costs a redial.
	NextFrom, NextTo string
}

// Bytes is the copy as one message.
func (c *Copy) Bytes() []byte {
	out := make([]byte, 0, len(c.Head)+len(c.Body))
	return append(append(out, c.Head...), c.Body...)
}

// Conn sends copies in order over one connection.
type Conn interface {
	// Send transmits one copy. A *SendError says what the peer answered.
	Send(ctx context.Context, messageID int64, from, to string, c *Copy) error
	// Flush makes buffered copies final (capture writes them to the store).
	Flush(ctx context.Context) error
	Close() error
}

// SendError is a refusal by the peer, or a broken connection (Code 0).
type SendError struct {
	Code     int
	Enhanced string
	Text     string
	Broken   bool // the connection is unusable; redial
	// PerRcpt: the reply was to RCPT or to the end of DATA, so it is about
	// the recipient or its domain, not the relay.
	PerRcpt bool
	// RetryAfter, when set, is the earliest a retry makes sense.
	RetryAfter time.Time
}

func (e *SendError) Error() string {
	if e.Code == 0 {
		return "connection: " + e.Text
	}
	return fmt.Sprintf("%d %s %s", e.Code, e.Enhanced, e.Text)
}

// Temporary: a 4xx reply or a broken connection.
func (e *SendError) Temporary() bool { return e.Code < 500 }

// classify turns a client error into a SendError.
func classify(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		enh, text := splitEnhanced(te.Msg)
		return &SendError{Code: te.Code, Enhanced: enh, Text: text, Broken: te.Code == 421}
	}
	return &SendError{Text: err.Error(), Broken: true}
}

// splitEnhanced takes an RFC 3463 code off the front of a reply text.
func splitEnhanced(msg string) (string, string) {
	first, rest, _ := strings.Cut(msg, " ")
	if len(first) >= 5 && (first[0] == '2' || first[0] == '4' || first[0] == '5') && first[1] == '.' {
		return first, rest
	}
	return "", msg
}
