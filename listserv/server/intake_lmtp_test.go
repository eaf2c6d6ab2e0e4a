package server_test

import (
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestLMTPMixedCaseListAddress: any case of a list address is the list,
// and LMTP reports its status under exactly the address the client gave.
// Before, the status went under the lowercased address, go-smtp panicked
// after the post was stored and sent, and answered 421: Postfix would
// retry and every member would get the post again.
func TestLMTPMixedCaseListAddress(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		c, _ := dialRaw(t, e.srv.Addr("lmtp"))
		c.expect("LHLO postfix.example.org", "250")
		c.expect("MAIL FROM:<ann@example.net>", "250")
		c.expect("RCPT TO:<Team@Lists.Example.org>", "250")
		c.expect("DATA", "354")
		got := c.data(post("ann@example.net", "Mixed case", "mixed@example.net", ""), 1)
		if !strings.HasPrefix(got[0], "250 2.0.0 <Team@Lists.Example.org>") {
			t.Fatalf("LMTP status %q, want 250 for <Team@Lists.Example.org>", got[0])
		}
		c.expect("NOOP", "250") // the session goes on: no panic, no 421
		e.waitCopies(t, "Mixed case")
	})
}

// TestLMTPSecondMailNeedsRset: go-smtp keeps its recipients across a
// second MAIL, so the session must too. Before, the session forgot alpha,
// LMTP still answered 250 for alpha, and alpha's members got nothing.
func TestLMTPSecondMailNeedsRset(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
	beta := e.list(t, &store.List{Address: "beta@lists.example.org", Policy: store.PolicyModerated})
	c, _ := dialRaw(t, e.srv.Addr("lmtp"))
	c.expect("LHLO postfix.example.org", "250")
	c.expect("MAIL FROM:<ann@example.net>", "250")
	c.expect("RCPT TO:<team@lists.example.org>", "250")
	c.expect("MAIL FROM:<bob@example.com>", "503 5.5.1")
	c.expect("RCPT TO:<beta@lists.example.org>", "250")
	c.expect("DATA", "354")
	got := c.data(post("ann@example.net", "Two lists", "two@example.net", ""), 2)
	for i, want := range []string{"250 2.0.0 <team@lists.example.org>", "250 2.0.0 <beta@lists.example.org>"} {
		if !strings.HasPrefix(got[i], want) {
			t.Errorf("status %d = %q, want %s", i, got[i], want)
		}
	}
	e.waitCopies(t, "Two lists") // every recipient answered 250 got the post
	if n := e.heldOn(t, beta); n != 1 {
		t.Errorf("%d posts held on beta, want 1", n)
	}
	// After RSET a new transaction starts as usual.
	c.expect("RSET", "250")
	c.expect("MAIL FROM:<bob@example.com>", "250")
}

// TestRecipientNamedThrice: one transaction naming a list three times (in
// any case) stores one post; over LMTP each RCPT still gets its status.
// The post has no Message-ID, so duplicate suppression cannot hide it.
func TestRecipientNamedThrice(t *testing.T) {
	const noID = "From: ann@example.net\r\nTo: mod@lists.example.org\r\nSubject: thrice\r\n\r\nHello.\r\n"
	rcpts := []string{"mod@lists.example.org", "MOD@lists.example.org", "Mod@Lists.Example.Org"}
	for _, proto := range []string{"smtp", "lmtp"} {
		t.Run(proto, func(t *testing.T) {
			e := start(t, t.TempDir()+"/db")
			l := e.list(t, &store.List{Address: "mod@lists.example.org", Policy: store.PolicyModerated})
			c, _ := dialRaw(t, e.srv.Addr(proto))
			c.expect(map[string]string{"smtp": "EHLO", "lmtp": "LHLO"}[proto]+" client.example.net", "250")
			c.expect("MAIL FROM:<ann@example.net>", "250")
			for _, r := range rcpts {
				c.expect("RCPT TO:<"+r+">", "250")
			}
			c.expect("DATA", "354")
			n := 1
			if proto == "lmtp" {
				n = len(rcpts)
			}
			for i, got := range c.data(noID, n) {
				if !strings.HasPrefix(got, "250 2.0.0") || proto == "lmtp" && !strings.Contains(got, "<"+rcpts[i]+">") {
					t.Errorf("reply %d = %q, want 250 (for <%s> over LMTP)", i, got, rcpts[i])
				}
			}
			if held := e.heldOn(t, l); held != 1 {
				t.Errorf("%d posts stored, want 1", held)
			}
		})
	}
}
