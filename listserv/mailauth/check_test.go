package mailauth

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dmarc"

	"github.com/demnet-uk/listserv/internal/dnstest"
	"github.com/demnet-uk/listserv/listserv/dkimsign"
)

// zone: example.net publishes SPF for 127.0.0.1 and p=reject, and a DKIM
// key; nodmarc.example has SPF but no DMARC; dept.example.net inherits
// example.net's sp=quarantine.
func zone(t *testing.T) (*dnstest.Server, *dkimsign.Key) {
	d := dnstest.Start(t)
	d.SetTXT("example.net", "v=spf1 ip4:127.0.0.1 -all")
	d.SetTXT("_dmarc.example.net", "v=DMARC1; p=reject; sp=quarantine")
	d.SetTXT("nodmarc.example", "v=spf1 ip4:127.0.0.1 -all")
	s, err := dkimsign.Generate(dkimsign.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	k := &dkimsign.Key{Domain: "example.net", Selector: "k1", Algorithm: dkimsign.Ed25519, Signer: s}
	txt, _ := dkimsign.TXTRecord(s)
	d.SetTXT(dkimsign.RecordName("k1", "example.net"), txt)
	return d, k
}

func msg(from string, extra string) []byte {
	return []byte(extra + "From: Ann <" + from + ">\r\nTo: team@lists.example.org\r\nSubject: hi\r\n" +
		"Date: Mon, 1 Mar 2027 10:00:00 +0000\r\nMessage-ID: <1@x>\r\n\r\nHello.\r\n")
}

func TestCheck(t *testing.T) {
	d, key := zone(t)
	c := New(Config{Resolver: d.Resolver(), AuthservID: "lists.example.org"})
	ctx := context.Background()
	signed := msg("ann@example.net", "")
	sig, err := dkimsign.SignMessage([]*dkimsign.Key{key}, signed, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	signed = append(sig, signed...)
	local, other := net.ParseIP("127.0.0.1"), net.ParseIP("127.0.0.9")
	cases := []struct {
		name   string
		in     Input
		dmarc  authres.ResultValue
		policy dmarc.Policy
		held   bool
	}{
		{"member via own server", Input{IP: local, Helo: "mx.example.net", MailFrom: "ann@example.net", Raw: msg("ann@example.net", "")},
			authres.ResultPass, dmarc.PolicyReject, false},
		{"stranger with member's From", Input{IP: other, Helo: "evil.example", MailFrom: "x@evil.example", Raw: msg("ann@example.net", "")},
			authres.ResultFail, dmarc.PolicyReject, true},
		{"stranger, member's envelope too", Input{IP: other, Helo: "evil.example", MailFrom: "ann@example.net", Raw: msg("ann@example.net", "")},
			authres.ResultFail, dmarc.PolicyReject, true},
		{"DKIM aligned though SPF fails", Input{IP: other, Helo: "relay.example", MailFrom: "bounce@relay.example", Raw: signed},
			authres.ResultPass, dmarc.PolicyReject, false},
		{"subdomain inherits sp=", Input{IP: other, Helo: "x", MailFrom: "x@evil.example", Raw: msg("bob@dept.example.net", "")},
			authres.ResultFail, dmarc.PolicyQuarantine, true},
		{"no DMARC, SPF aligned", Input{IP: local, Helo: "x", MailFrom: "cat@nodmarc.example", Raw: msg("cat@nodmarc.example", "")},
			authres.ResultNone, dmarc.PolicyNone, false},
		{"no DMARC, member's envelope", Input{IP: other, Helo: "x", MailFrom: "cat@nodmarc.example", Raw: msg("cat@nodmarc.example", "")},
			authres.ResultNone, dmarc.PolicyNone, false},
		{"no DMARC, stranger", Input{IP: other, Helo: "x", MailFrom: "x@evil.example", Raw: msg("cat@nodmarc.example", "")},
			authres.ResultNone, dmarc.PolicyNone, true},
	}
	for _, tc := range cases {
		r := c.Check(ctx, tc.in)
		reason := r.Impersonation(tc.in.MailFrom)
		if r.DMARC != tc.dmarc || r.Policy != tc.policy || (reason != "") != tc.held {
			t.Errorf("%s: dmarc=%s policy=%s held=%q; want %s %s %v (spf %s, dkim %v)",
				tc.name, r.DMARC, r.Policy, reason, tc.dmarc, tc.policy, tc.held, r.SPF, r.DKIM)
		}
		if tc.held && !strings.HasPrefix(reason, ReasonImpersonation) {
			t.Errorf("%s: reason %q", tc.name, reason)
		}
	}
	r := c.Check(ctx, cases[1].in)
	h := string(r.Header("lists.example.org"))
	if !strings.HasPrefix(h, "Authentication-Results: lists.example.org;") || !strings.Contains(h, "dmarc=fail") ||
		!strings.Contains(h, "spf=none smtp.mailfrom=evil.example") {
		t.Errorf("header %q", h)
	}
}

// TestUpstream: a trusted MTA's results are used; the same field from any
// other authserv-id is ignored and the post is checked.
func TestUpstream(t *testing.T) {
	d, _ := zone(t)
	c := New(Config{Resolver: d.Resolver(), AuthservID: "lists.example.org", TrustAuthservID: "mx.lists.example.org"})
	in := func(id string) Input {
		ar := "Authentication-Results: " + id + "; spf=pass smtp.mailfrom=example.net; dkim=none; dmarc=pass header.from=example.net\r\n"
		return Input{IP: net.ParseIP("127.0.0.9"), Helo: "x", MailFrom: "x@evil.example", Raw: msg("ann@example.net", ar)}
	}
	if r := c.Check(context.Background(), in("mx.lists.example.org")); r.DMARC != authres.ResultPass || r.Upstream == "" {
		t.Errorf("trusted: %+v", r)
	}
	if r := c.Check(context.Background(), in("forged.example")); r.DMARC != authres.ResultFail || r.Upstream != "" {
		t.Errorf("untrusted: %+v", r)
	}
}

// TestTempError: SERVFAIL for the DMARC record holds nothing, and is
// not cached.
func TestTempError(t *testing.T) {
	d, _ := zone(t)
	d.SetFail("_dmarc.example.net")
	c := New(Config{Resolver: d.Resolver()})
	in := Input{IP: net.ParseIP("127.0.0.9"), Helo: "x", MailFrom: "x@evil.example", Raw: msg("ann@example.net", "")}
	r := c.Check(context.Background(), in)
	if r.DMARC != authres.ResultTempError || r.Impersonation(in.MailFrom) != "" {
		t.Errorf("temperror: %s %q", r.DMARC, r.Impersonation(in.MailFrom))
	}
	n := d.Asked("_dmarc.example.net")
	c.Check(context.Background(), in)
	if d.Asked("_dmarc.example.net") == n {
		t.Error("a temporary failure was cached")
	}
}

// TestPolicyCache: one DNS question per domain per hour.
func TestPolicyCache(t *testing.T) {
	d, _ := zone(t)
	p := NewPolicies(d.Resolver())
	for range 3 {
		rec, _, err := p.Lookup(context.Background(), "example.net")
		if err != nil || rec == nil || rec.Policy != dmarc.PolicyReject {
			t.Fatalf("lookup: %v %v", rec, err)
		}
	}
	if n := d.Asked("_dmarc.example.net"); n != 1 {
		t.Errorf("asked %d times", n)
	}
}
