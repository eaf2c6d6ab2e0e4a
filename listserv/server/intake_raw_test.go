package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// rawClient speaks SMTP or LMTP line by line, so a test reads like a
// transcript and sees every reply line (Go clients hide some).
type rawClient struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

// dialRaw connects and returns the client with the greeting's last line.
func dialRaw(t *testing.T, addr string) (*rawClient, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	rc := &rawClient{t: t, c: c, r: bufio.NewReader(c)}
	return rc, rc.reply()
}

// reply reads one (possibly multi-line) reply and returns its last line,
// or "EOF" when the server closed the connection.
func (c *rawClient) reply() string {
	c.t.Helper()
	for {
		line, err := c.r.ReadString('\n')
		if err == io.EOF && line == "" {
			return "EOF"
		}
		if err != nil {
			c.t.Fatalf("read reply: %v (after %q)", err, line)
		}
		if len(line) < 4 || line[3] != '-' {
			return strings.TrimSpace(line)
		}
	}
}

func (c *rawClient) cmd(line string) string {
	c.t.Helper()
	if _, err := io.WriteString(c.c, line+"\r\n"); err != nil {
		c.t.Fatalf("write %q: %v", line, err)
	}
	return c.reply()
}

// expect sends line and fails unless the reply starts with want.
func (c *rawClient) expect(line, want string) {
	c.t.Helper()
	if got := c.cmd(line); !strings.HasPrefix(got, want) {
		c.t.Fatalf("%s: reply %q, want %s", line, got, want)
	}
}

// data sends the message (ending in CRLF) and the final dot, and reads n
// replies (LMTP sends one per accepted recipient).
func (c *rawClient) data(msg string, n int) []string {
	c.t.Helper()
	if _, err := io.WriteString(c.c, msg+".\r\n"); err != nil {
		c.t.Fatalf("write message: %v", err)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = c.reply()
	}
	return out
}

// heldOn returns how many posts wait for a moderator on l.
func (e *env) heldOn(t *testing.T, l *store.List) int {
	t.Helper()
	h, err := e.st.ListHeld(context.Background(), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

// waitCopies waits until every each-mode member of the team list has a
// copy with subject, then fails if anyone has more than one.
func (e *env) waitCopies(t *testing.T, subject string) {
	t.Helper()
	count := func(a string) int {
		n := 0
		for _, m := range e.copiesTo(a) {
			if strings.Contains(m.Header("Subject"), subject) {
				n++
			}
		}
		return n
	}
	waitFor(t, "copies of "+subject, func() bool {
		for _, a := range eachMembers {
			if count(a) == 0 {
				return false
			}
		}
		return true
	})
	for _, a := range eachMembers {
		if n := count(a); n != 1 {
			t.Errorf("%s got %d copies of %q, want 1", a, n, subject)
		}
	}
}
