package server_test

import (
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestAmbiguousMessagesRefused: messages that parsers read differently
// are refused with 550 5.6.0 saying why, over SMTP and LMTP, and nothing
// is stored; a clean message in the same session is the control.
func TestAmbiguousMessagesRefused(t *testing.T) {
	const clean = "From: ann@example.net\r\nTo: mod@lists.example.org\r\nSubject: fine\r\n\r\nHello.\r\n"
	cases := []struct{ name, msg, why string }{
		{"two From fields", "From: ann@example.net\r\nfrom : boss@example.net\r\nSubject: x\r\n\r\nHello.\r\n", "more than one From"},
		{"NUL in the body", "From: ann@example.net\r\nSubject: x\r\n\r\nHel\x00lo.\r\n", "NUL"},
		{"NUL in the header", "From: ann@example.net\r\nSubject: x\x00y\r\n\r\nHello.\r\n", "NUL"},
		{"bare LF in the header", "From: ann@example.net\r\nSubject: x\nBcc: all@example.net\r\n\r\nHello.\r\n", "bare LF"},
		{"bare LF header end", "From: ann@example.net\nSubject: x\n\nHello.\r\n", "bare LF"},
	}
	for _, proto := range []string{"smtp", "lmtp"} {
		t.Run(proto, func(t *testing.T) {
			e := start(t, t.TempDir()+"/db")
			l := e.list(t, &store.List{Address: "mod@lists.example.org", Policy: store.PolicyModerated})
			c, _ := dialRaw(t, e.srv.Addr(proto))
			c.expect(map[string]string{"smtp": "EHLO", "lmtp": "LHLO"}[proto]+" client.example.net", "250")
			for _, tc := range cases {
				c.expect("MAIL FROM:<ann@example.net>", "250")
				c.expect("RCPT TO:<mod@lists.example.org>", "250")
				c.expect("DATA", "354")
				if got := c.data(tc.msg, 1)[0]; !strings.HasPrefix(got, "550 5.6.0") || !strings.Contains(got, tc.why) {
					t.Errorf("%s: reply %q, want 550 5.6.0 saying %q", tc.name, got, tc.why)
				}
			}
			if n := e.heldOn(t, l); n != 0 {
				t.Errorf("%d refused messages stored", n)
			}
			c.expect("MAIL FROM:<ann@example.net>", "250")
			c.expect("RCPT TO:<mod@lists.example.org>", "250")
			c.expect("DATA", "354")
			if got := c.data(clean, 1)[0]; !strings.HasPrefix(got, "250") {
				t.Fatalf("clean message: reply %q, want 250", got)
			}
			if n := e.heldOn(t, l); n != 1 {
				t.Errorf("%d messages stored after the clean one, want 1", n)
			}
		})
	}
}
