package delivery

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Capture keeps copies in the store's outbox instead of sending them, so a
// newcomer without a relay sees at /outbox what would have gone out.
type Capture struct{ st Outbox }

// NewCapture returns a capture transport.
func NewCapture(st Outbox) *Capture { return &Capture{st: st} }

// Name is "capture".
func (c *Capture) Name() string { return "capture" }

// Dial returns a buffering connection.
func (c *Capture) Dial(context.Context) (Conn, error) { return &captureConn{st: c.st}, nil }

type captureConn struct {
	st  Outbox
	buf []*store.Captured
}

func (c *captureConn) Send(_ context.Context, msgID int64, from, to string, cp *Copy) error {
	c.buf = append(c.buf, &store.Captured{MessageID: msgID, From: from, To: to, Raw: cp.Bytes()})
	return nil
}

// Flush writes the buffered copies in one transaction.
func (c *captureConn) Flush(ctx context.Context) error {
	if len(c.buf) == 0 {
		return nil
	}
	err := c.st.CaptureCopies(ctx, c.buf)
	c.buf = c.buf[:0]
	return err
}

func (c *captureConn) Close() error { return nil }
