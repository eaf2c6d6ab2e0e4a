package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/dkimsign"
)

// TestDKIMKeygen: keygen stores a key and prints the record that matches
// it; ls prints it again; a reused selector and bad input exit 2.
func TestDKIMKeygen(t *testing.T) {
	c := backends[0].newCLI(t)
	c.ok("migrate")
	out := c.ok("dkim", "keygen", "Lists.Example.org", "--algorithm", "ed25519", "--selector", "s1")
	rec := regexp.MustCompile(`s1\._domainkey\.lists\.example\.org\. 3600 IN TXT \( "(v=DKIM1; k=ed25519; p=[A-Za-z0-9+/=]+)" \)`).FindStringSubmatch(out)
	if rec == nil {
		t.Fatalf("keygen printed:\n%s", out)
	}
	db := c.open()
	ks, err := db.DKIMKeys(t.Context(), "lists.example.org")
	if err != nil || len(ks) != 1 {
		t.Fatalf("stored keys %v %v", ks, err)
	}
	k, _, err := dkimsign.ParsePEM(ks[0].PrivatePEM)
	if err != nil {
		t.Fatal(err)
	}
	if txt, _ := dkimsign.TXTRecord(k); txt != rec[1] {
		t.Fatalf("printed record %q is not the stored key's %q", rec[1], txt)
	}
	rsa := c.ok("dkim", "keygen", "lists.example.org", "--selector", "r1")
	if !strings.Contains(rsa, `r1._domainkey.lists.example.org. 3600 IN TXT ( "v=DKIM1; k=rsa; p=`) {
		t.Fatalf("rsa keygen printed:\n%s", rsa)
	}
	if ls := c.ok("dkim", "ls", "lists.example.org"); !strings.Contains(ls, rec[1]) || !strings.Contains(ls, "rsa r1") {
		t.Fatalf("ls printed:\n%s", ls)
	}
	c.fails(2, []string{"already has a key with selector s1"}, "dkim", "keygen", "lists.example.org", "--selector", "s1")
	c.fails(2, []string{"not a domain name"}, "dkim", "keygen", "not a domain")
	c.fails(2, []string{"want rsa or ed25519"}, "dkim", "keygen", "lists.example.org", "--algorithm", "dsa")
	c.fails(2, []string{"letters, digits"}, "dkim", "keygen", "lists.example.org", "--selector", "a_b")
}

// TestDeliverabilityCmd shows the defaults, sets and keeps settings, and
// refuses bad values with exit 2.
func TestDeliverabilityCmd(t *testing.T) {
	c := backends[0].newCLI(t)
	c.ok("list", "create", "team@example.org")
	if out := c.ok("deliverability", "team@example.org"); !strings.Contains(out, "DMARC mitigation munge for authors whose domain publishes p=reject") {
		t.Fatalf("defaults: %s", out)
	}
	c.ok("deliverability", "team@example.org", "--dmarc", "wrap", "--remove-after-warnings", "on")
	if out := c.ok("deliverability", "team@example.org", "--dmarc-always", "on"); !strings.Contains(out, "wrap for every post; remove after bounce warnings: on") {
		t.Fatalf("after set: %s", out)
	}
	c.fails(2, []string{"want munge, wrap or none"}, "deliverability", "team@example.org", "--dmarc", "rewrite")
	c.fails(2, []string{"must be on or off"}, "deliverability", "team@example.org", "--dmarc-always", "maybe")
}
