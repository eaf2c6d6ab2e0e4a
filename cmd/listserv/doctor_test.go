package main

import (
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/internal/dnstest"
	"github.com/demnet-uk/listserv/internal/smtpsink"
)

// TestDoctorCmd: with every record published the doctor exits 0 with an
// ok line per check; without DMARC it exits 2 and says what to publish.
func TestDoctorCmd(t *testing.T) {
	c := backends[0].newCLI(t)
	c.ok("list", "create", "team@lists.example.org")
	out := c.ok("dkim", "keygen", "lists.example.org", "--algorithm", "ed25519", "--selector", "s1")
	rec := regexp.MustCompile(`"(v=DKIM1; k=ed25519; p=[A-Za-z0-9+/=]+)"`).FindStringSubmatch(out)
	if rec == nil {
		t.Fatalf("keygen printed:\n%s", out)
	}
	sink := smtpsink.Start(t, smtpsink.Options{})
	zone := func(dmarc bool) string {
		srv := dnstest.Start(t)
		srv.SetTXT("lists.example.org", "v=spf1 ip4:192.0.2.10 -all")
		srv.SetTXT("s1._domainkey.lists.example.org", rec[1])
		if dmarc {
			srv.SetTXT("_dmarc.lists.example.org", "v=DMARC1; p=none")
		}
		srv.Zone.MX["lists.example.org"] = []*net.MX{{Host: "mail.example.org", Pref: 10}}
		srv.Zone.A["mail.example.org"] = []string{"192.0.2.10"}
		srv.Zone.PTR["192.0.2.10"] = []string{"mail.example.org"}
		return srv.Addr
	}
	args := []string{"doctor", "--relay", sink.URL(), "--sending-ip", "192.0.2.10", "--hostname", "mail.example.org"}
	good := c.ok(append(args, "--dns", zone(true))...)
	for _, check := range []string{"MX", "SPF", "DKIM", "DMARC", "relay", "reverse DNS"} {
		if !regexp.MustCompile(`(?m)^  ok +` + check + ` `).MatchString(good) {
			t.Errorf("no ok line for %s:\n%s", check, good)
		}
	}
	r := c.fails(2, []string{"problems found: 1 to fix"}, append(args, "lists.example.org", "--dns", zone(false))...)
	if !strings.Contains(r.stdout, "PROBLEM  DMARC") || !strings.Contains(r.stdout, `_dmarc.lists.example.org. 3600 IN TXT "v=DMARC1; p=none`) {
		t.Errorf("without DMARC the doctor printed:\n%s", r.stdout)
	}
	c.fails(2, []string{"--dns"}, "doctor", "--dns", "nonsense")
	c.fails(2, []string{"not an IP address"}, "doctor", "--sending-ip", "mail.example.org")
}
