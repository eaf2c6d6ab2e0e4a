package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/signin"
)

var cliLinkRe = regexp.MustCompile(`^https://lists\.example\.org/login/([a-z2-7]+)\?next=%2Fmoderate\n$`)

// TestLoginLink: the printed link is the signin engine's, so it signs in
// once, lands on --next, and a bad address is refused with exit 2.
func TestLoginLink(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := b.newCLI(t)
			c.ok("migrate")
			out := c.ok("login-link", "--base-url", "https://lists.example.org/", "--next", "/moderate", "Op@Example.org")
			m := cliLinkRe.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("login-link printed %q", out)
			}
			e := signin.New(c.open(), nil, signin.Options{BaseURL: "https://lists.example.org"})
			s, err := e.Redeem(t.Context(), m[1])
			if err != nil || s.Address != "op@example.org" || s.Next != "/moderate" {
				t.Fatalf("redeem the printed link: %+v %v", s, err)
			}
			if _, err := e.Redeem(t.Context(), m[1]); err == nil {
				t.Error("the printed link worked twice")
			}
			r := c.fails(2, nil, "login-link", "not an address")
			if strings.Contains(r.stdout, "/login/") {
				t.Errorf("a link was printed for a bad address: %s", r.stdout)
			}
		})
	}
}
