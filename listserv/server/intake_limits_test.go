package server_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestConnectionLimits: a connection over the limit gets 421 4.7.0
// instead of the greeting; once one closes, the next gets in.
func TestConnectionLimits(t *testing.T) {
	for _, tc := range []struct {
		name, proto string
		set         func(*server.Config)
	}{
		{"per client", "lmtp", func(c *server.Config) { c.SMTPIn.MaxConnsPerClient = 2 }},
		{"in total", "smtp", func(c *server.Config) { c.SMTPIn.MaxConns = 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, t.TempDir()+"/db", tc.set)
			addr := e.srv.Addr(tc.proto)
			first, g1 := dialRaw(t, addr)
			_, g2 := dialRaw(t, addr)
			if !strings.HasPrefix(g1, "220") || !strings.HasPrefix(g2, "220") {
				t.Fatalf("greetings %q, %q; want 220 within the limit", g1, g2)
			}
			over, g3 := dialRaw(t, addr)
			if !strings.HasPrefix(g3, "421 4.7.0") {
				t.Fatalf("third connection got %q, want 421 4.7.0", g3)
			}
			if r := over.reply(); r != "EOF" {
				t.Errorf("after the 421: %q, want the connection closed", r)
			}
			first.expect("QUIT", "221")
			waitFor(t, "a free connection slot", func() bool {
				_, g := dialRaw(t, addr)
				return strings.HasPrefix(g, "220")
			})
		})
	}
}

// TestSlowClientsCutOff: deadlines a client cannot stretch by sending a
// byte now and then. Each ends in 421 4.7.0 and a closed connection.
func TestSlowClientsCutOff(t *testing.T) {
	t.Run("DATA sent one byte at a time", func(t *testing.T) {
		e := start(t, t.TempDir()+"/db", func(c *server.Config) { c.SMTPIn.DataTimeout = time.Second })
		l := e.list(t, &store.List{Address: "mod@lists.example.org", Policy: store.PolicyModerated})
		c := transaction(t, e.srv.Addr("smtp"))
		go drip(c, "From: ann@example.net\r\nSubject: slow\r\n\r\n"+strings.Repeat("x", 200))
		if got := c.reply(); !strings.HasPrefix(got, "421 4.7.0") {
			t.Fatalf("slow DATA got %q, want 421 4.7.0", got)
		}
		if r := c.reply(); r != "EOF" {
			t.Errorf("after the 421: %q, want the connection closed", r)
		}
		if n := e.heldOn(t, l); n != 0 {
			t.Errorf("%d messages stored from the cut-off DATA", n)
		}
		// The control: a client that sends its message at once gets through.
		n := transaction(t, e.srv.Addr("smtp"))
		if got := n.data("From: ann@example.net\r\nSubject: quick\r\n\r\nHello.\r\n", 1)[0]; !strings.HasPrefix(got, "250") {
			t.Fatalf("normal DATA got %q, want 250", got)
		}
		if n := e.heldOn(t, l); n != 1 {
			t.Errorf("%d messages stored, want the quick one", n)
		}
	})
	t.Run("session kept busy with NOOP", func(t *testing.T) {
		e := start(t, t.TempDir()+"/db", func(c *server.Config) { c.SMTPIn.SessionTimeout = 2 * time.Second })
		c, _ := dialRaw(t, e.srv.Addr("smtp"))
		c.expect("EHLO client.example.net", "250")
		ok := 0
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); ok++ {
			got := c.cmd("NOOP")
			if strings.HasPrefix(got, "421 4.7.0") {
				if ok == 0 {
					t.Error("no NOOP answered before the cap")
				}
				return
			}
			if !strings.HasPrefix(got, "250") {
				t.Fatalf("NOOP got %q", got)
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("%d NOOPs over 20 s and the session was never cut off", ok)
	})
	t.Run("command sent one byte at a time", func(t *testing.T) {
		e := start(t, t.TempDir()+"/db", func(c *server.Config) { c.SMTPIn.ReadTimeout = time.Second })
		c, _ := dialRaw(t, e.srv.Addr("smtp"))
		c.expect("EHLO client.example.net", "250") // the control
		go drip(c, "MAIL FROM:<ann@example.net>\r\n")
		if got := c.reply(); !strings.HasPrefix(got, "421 4.7.0") {
			t.Fatalf("slow command got %q, want 421 4.7.0", got)
		}
	})
}

// transaction opens an SMTP session up to the 354 for a moderated list.
func transaction(t *testing.T, addr string) *rawClient {
	t.Helper()
	c, _ := dialRaw(t, addr)
	c.expect("EHLO client.example.net", "250")
	c.expect("MAIL FROM:<ann@example.net>", "250")
	c.expect("RCPT TO:<mod@lists.example.org>", "250")
	c.expect("DATA", "354")
	return c
}

// drip writes s one byte every 100 ms until it is sent or refused.
func drip(c *rawClient, s string) {
	for i := range len(s) {
		if _, err := io.WriteString(c.c, s[i:i+1]); err != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
