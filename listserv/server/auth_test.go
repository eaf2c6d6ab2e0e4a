package server_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/internal/dkimtest"
	"github.com/demnet-uk/listserv/internal/dnstest"
	"github.com/demnet-uk/listserv/listserv/mailauth"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// authDNS: example.net sends from 127.0.0.1 only and publishes p=reject;
// example.com publishes SPF for 127.0.0.1 and no DMARC.
func authDNS(t *testing.T) *dnstest.Server {
	d := dnstest.Start(t)
	d.SetTXT("example.net", "v=spf1 ip4:127.0.0.1 -all")
	d.SetTXT("_dmarc.example.net", "v=DMARC1; p=reject")
	d.SetTXT("example.com", "v=spf1 ip4:127.0.0.1 -all")
	return d
}

// sendFrom posts raw from the client address ip (a 127.0.0.0/8 address)
// with HELO helo.
func (e *env) sendFrom(t *testing.T, ip, helo, from, to, raw string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	conn, err := d.Dial("tcp", e.srv.Addr("smtp"))
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello(helo); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail(from, []string{to}, strings.NewReader(raw)); err != nil {
		t.Fatalf("send from %s: %v", from, err)
	}
}

// TestForgedMemberPostIsHeld is the attack from the issue: a stranger's
// envelope and server with a member's From reached every member. Now it
// is held with the reason, and nobody gets it; the member's own post from
// her domain's server still goes out (the control), and every stored
// post carries this server's Authentication-Results.
func TestForgedMemberPostIsHeld(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		d := authDNS(t)
		e := start(t, db, func(c *server.Config) {
			c.InboundAuth = &mailauth.Config{Resolver: d.Resolver()}
		})
		ctx := context.Background()
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team"}, teamMembers...)
		// The forgery: from 127.0.0.2, which example.net does not allow.
		e.sendFrom(t, "127.0.0.2", "evil.example", "x@evil.example", l.Address, post("ann@example.net", "Forged", "forged@evil.example", ""))
		// The same member, from her own server.
		e.sendFrom(t, "127.0.0.1", "mx.example.net", "ann@example.net", l.Address, post("ann@example.net", "Genuine", "genuine@example.net", ""))
		// No DMARC at example.com: the envelope is the member's, so it passes.
		e.sendFrom(t, "127.0.0.3", "mx.example.com", "bob@example.com", l.Address, post("bob@example.com", "Bob", "bob@example.com", ""))
		waitFor(t, "the genuine posts' copies", func() bool { return len(e.copiesTo("cat@example.org")) >= 2 })
		held, err := e.st.ListHeld(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(held) != 1 || held[0].Subject != "Forged" || !strings.Contains(held[0].Reason, mailauth.ReasonImpersonation) ||
			!strings.Contains(held[0].Reason, "DMARC fails for example.net") {
			t.Fatalf("held: %+v", held)
		}
		for _, m := range e.sink.Messages() {
			if strings.Contains(m.Header("Subject"), "Forged") && m.Header("List-Id") != "" {
				t.Fatalf("the forged post reached %v", m.To)
			}
		}
		msg, err := e.st.GetMessage(ctx, held[0].MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(msg.Raw), "Authentication-Results: lists.example.org; spf=none smtp.mailfrom=evil.example") ||
			!strings.Contains(string(msg.Raw[:200]), "dmarc=fail header.from=example.net") {
			t.Fatalf("stored post starts:\n%.300s", msg.Raw)
		}
		for _, c := range e.copiesTo("cat@example.org") {
			if c.Header("Subject") == "Genuine" && !strings.Contains(c.Header("Authentication-Results"), "dmarc=pass") {
				t.Errorf("genuine copy: Authentication-Results %q", c.Header("Authentication-Results"))
			}
		}
	})
}

// TestDMARCMitigation: a post from a p=reject domain goes out From the
// list ("Poster via Team"), the author in Reply-To, signed by the list
// domain so DMARC aligns; with wrap it arrives as an attachment of such a
// message; a post from a domain without DMARC keeps its From (control).
func TestDMARCMitigation(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		d := authDNS(t)
		e := start(t, db, func(c *server.Config) {
			c.InboundAuth = &mailauth.Config{Resolver: d.Resolver()}
		})
		ctx := context.Background()
		recs := dkimKeys(t, e.st, "lists.example.org")
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team", ReplyTo: "author"}, teamMembers...)
		e.sendFrom(t, "127.0.0.1", "mx.example.net", "ann@example.net", l.Address, post("ann@example.net", "Munged", "m1@example.net", ""))
		e.sendFrom(t, "127.0.0.1", "mx.example.com", "bob@example.com", l.Address, post("bob@example.com", "Kept", "m2@example.com", ""))
		waitFor(t, "both posts", func() bool { return len(e.copiesTo("cat@example.org")) >= 2 })
		for _, c := range e.copiesTo("cat@example.org") {
			from, rt := c.Header("From"), c.Header("Reply-To")
			switch c.Header("Subject") {
			case "Munged":
				if from != "Poster via Team <team@lists.example.org>" || rt != "Poster <ann@example.net>" {
					t.Errorf("munged: From %q Reply-To %q", from, rt)
				}
				if doms := dkimtest.GoVerify(t, c.Data, recs); doms[0] != "lists.example.org" {
					t.Errorf("signed by %v", doms)
				}
				dkimtest.PyVerify(t, c.Data, recs, 2)
			case "Kept":
				if from != "Poster <bob@example.com>" || rt != "" {
					t.Errorf("control: From %q Reply-To %q", from, rt)
				}
			}
		}
		if err := e.st.SetListDeliverability(ctx, &store.ListDeliverability{ListID: l.ID, DMARCAction: store.DMARCWrap}); err != nil {
			t.Fatal(err)
		}
		e.sendFrom(t, "127.0.0.1", "mx.example.net", "ann@example.net", l.Address, post("ann@example.net", "Wrapped", "m3@example.net", ""))
		waitFor(t, "the wrapped post", func() bool { return len(e.copiesTo("cat@example.org")) >= 3 })
		for _, c := range e.copiesTo("cat@example.org") {
			if c.Header("Subject") != "Wrapped" {
				continue
			}
			body := string(c.Data[strings.Index(string(c.Data), "\r\n\r\n")+4:])
			if c.Header("Content-Type") != "message/rfc822" || c.Header("From") != "Poster via Team <team@lists.example.org>" ||
				!strings.Contains(body, "From: Poster <ann@example.net>\r\n") || c.Header("Reply-To") != "Poster <ann@example.net>" {
				t.Errorf("wrapped copy:\n%s", c.Data)
			}
			dkimtest.GoVerify(t, c.Data, recs)
		}
	})
}
