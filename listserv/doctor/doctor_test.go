package doctor_test

import (
	"net"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/internal/dnstest"
	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/dkimsign"
	"github.com/demnet-uk/listserv/listserv/doctor"
)

const (
	domain = "lists.example.org"
	mxHost = "mail.example.org"
	sendIP = "192.0.2.10"
)

// setup is a good domain: every record published, the relay up.
type setup struct {
	txt   map[string][]string
	mx    []*net.MX
	a     map[string][]string
	ptr   map[string][]string
	keys  []*dkimsign.Key
	relay string
}

func good(t *testing.T) *setup {
	t.Helper()
	sg, err := dkimsign.Generate(dkimsign.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	k := &dkimsign.Key{Domain: domain, Selector: "s1", Algorithm: dkimsign.Ed25519, Signer: sg}
	rec, err := dkimsign.TXTRecord(sg)
	if err != nil {
		t.Fatal(err)
	}
	sink := smtpsink.Start(t, smtpsink.Options{})
	return &setup{
		txt: map[string][]string{
			domain:                    {"v=spf1 ip4:" + sendIP + " -all", "google-site-verification=abc"},
			"s1._domainkey." + domain: {rec},
			"_dmarc." + domain:        {"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.org"},
		},
		mx:    []*net.MX{{Host: mxHost, Pref: 10}},
		a:     map[string][]string{mxHost: {sendIP}},
		ptr:   map[string][]string{sendIP: {mxHost}},
		keys:  []*dkimsign.Key{k},
		relay: sink.URL(),
	}
}

func (s *setup) run(t *testing.T) []doctor.Result {
	t.Helper()
	srv := dnstest.Start(t)
	for n, v := range s.txt {
		srv.SetTXT(n, v...)
	}
	if s.mx != nil {
		srv.Zone.MX[domain] = s.mx
	}
	for n, v := range s.a {
		srv.Zone.A[n] = v
	}
	for ip, v := range s.ptr {
		srv.Zone.PTR[ip] = v
	}
	return doctor.Run(t.Context(), doctor.Options{Domain: domain, Resolver: srv.Resolver(), Keys: s.keys,
		Relay: s.relay, Hostname: mxHost, SendingIP: sendIP})
}

func TestGoodDomain(t *testing.T) {
	rs := good(t).run(t)
	for _, r := range rs {
		t.Logf("%-8s %-12s %s", r.Status, r.Check, r.Text)
		if r.Status != doctor.OK {
			t.Errorf("%s: %s %s (fix: %s)", r.Check, r.Status, r.Text, r.Fix)
		}
	}
	if len(rs) != 6 {
		t.Errorf("%d checks, want 6", len(rs))
	}
}

// TestEachProblem: every missing or wrong record is reported by its own
// check, with a fix, and the other checks still pass.
func TestEachProblem(t *testing.T) {
	otherKey, _ := dkimsign.Generate(dkimsign.Ed25519)
	otherRec, _ := dkimsign.TXTRecord(otherKey)
	cases := []struct {
		name, check, says, fix string
		spoil                  func(s *setup)
	}{
		{"no MX", "MX", "has no MX record", "IN MX 10 " + mxHost, func(s *setup) { s.mx = nil }},
		{"MX without address", "MX", "has no address", "A (or AAAA) record for mx2.example.org", func(s *setup) { s.mx = []*net.MX{{Host: "mx2.example.org", Pref: 5}} }},
		{"no SPF", "SPF", "no SPF record", `"v=spf1 ip4:` + sendIP + ` mx -all"`, func(s *setup) { s.txt[domain] = s.txt[domain][1:] }},
		{"SPF without us", "SPF", "gives fail for " + sendIP, "add ip4:" + sendIP, func(s *setup) { s.txt[domain][0] = "v=spf1 ip4:198.51.100.1 -all" }},
		{"two SPF", "SPF", "2 SPF records", "merge", func(s *setup) { s.txt[domain] = append(s.txt[domain], "v=spf1 -all") }},
		{"no DKIM key", "DKIM", "no DKIM key is stored", "listserv dkim keygen " + domain, func(s *setup) { s.keys = nil }},
		{"DKIM not published", "DKIM", "is not published", "s1._domainkey." + domain + ". 3600 IN TXT", func(s *setup) { delete(s.txt, "s1._domainkey."+domain) }},
		{"DKIM other key", "DKIM", "different key", "s1._domainkey." + domain, func(s *setup) { s.txt["s1._domainkey."+domain] = []string{otherRec} }},
		{"no DMARC", "DMARC", "no DMARC record", "v=DMARC1; p=none", func(s *setup) { delete(s.txt, "_dmarc."+domain) }},
		{"relay down", "relay", "cannot connect", "relay is running", func(s *setup) { s.relay = "smtp://" + closedPort(t) }},
		{"no PTR", "reverse DNS", "no reverse DNS name", "PTR", func(s *setup) { delete(s.ptr, sendIP) }},
		{"PTR not confirmed", "reverse DNS", "does not point back", "publish an A record for other.example.org", func(s *setup) { s.ptr[sendIP] = []string{"other.example.org"} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := good(t)
			tc.spoil(s)
			rs := s.run(t)
			if n := doctor.Problems(rs); n != 1 {
				for _, r := range rs {
					t.Logf("%s %s: %s", r.Status, r.Check, r.Text)
				}
				t.Fatalf("%d problems, want exactly 1 (%s)", n, tc.check)
			}
			for _, r := range rs {
				if r.Check != tc.check {
					continue
				}
				if r.Status != doctor.Problem || !strings.Contains(r.Text, tc.says) || !strings.Contains(r.Fix, tc.fix) {
					t.Errorf("%s: %s %q fix %q; want a problem saying %q, fix containing %q", r.Check, r.Status, r.Text, r.Fix, tc.says, tc.fix)
				}
			}
		})
	}
}

// closedPort is an address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
