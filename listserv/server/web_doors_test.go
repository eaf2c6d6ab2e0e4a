package server_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// send makes a request with extra headers (X-Forwarded-For) and returns the
// status and body.
func (b *webClient) send(method, path string, form url.Values, hdr map[string]string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// askLink asks for a sign-in link for addr; the status is returned.
func (b *webClient) askLink(addr string, hdr map[string]string) (int, string) {
	b.t.Helper()
	_, page := b.get("/login")
	return b.send(http.MethodPost, "/login", url.Values{"csrf": {csrfOf(b.t, page)}, "address": {addr}}, hdr)
}

func capture(c *server.Config) { c.Relay = "capture" }

// outsideIP is an address of this machine that is not loopback, or skips.
func outsideIP(t *testing.T) string {
	as, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	t.Skip("no non-loopback IPv4 address on this machine")
	return ""
}

// TestOutboxOperatorOnly: captured mail (sign-in links) is shown to a
// browser on the server's machine, and to nobody through a proxy or from
// another host.
func TestOutboxOperatorOnly(t *testing.T) {
	e := start(t, t.TempDir()+"/db", capture)
	e.list(t, &store.List{Address: "team@lists.example.org"}, store.NewMember{Address: "owner@example.net", Role: store.RoleOwner})
	visitor := newBrowser(t, e)
	if code, _ := visitor.askLink("owner@example.net", nil); code != http.StatusOK {
		t.Fatalf("ask for a link: %d", code)
	}
	operator := newBrowser(t, e)
	waitFor(t, "the captured sign-in mail", func() bool {
		_, page := operator.get("/outbox")
		return strings.Contains(page, "Your sign-in link")
	})
	if code, page := operator.get("/outbox/1"); code != http.StatusOK || !strings.Contains(page, "/login/") {
		t.Fatalf("operator cannot read the captured mail: %d", code)
	}
	for _, hdr := range []map[string]string{{"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}, {"X-Real-IP": "203.0.113.9"}} {
		for _, path := range []string{"/outbox", "/outbox/1"} {
			code, page := visitor.send(http.MethodGet, path, nil, hdr)
			if code != http.StatusForbidden || strings.Contains(page, "/login/") {
				t.Errorf("GET %s through a proxy (%v): %d, want 403 without the link", path, hdr, code)
			}
		}
	}
	// A trusted proxy on loopback forwards visitors from anywhere.
	proxied := start(t, t.TempDir()+"/db", capture, func(c *server.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	if code, _ := newBrowser(t, proxied).get("/outbox"); code != http.StatusForbidden {
		t.Errorf("GET /outbox from a trusted proxy without a header: %d, want 403", code)
	}
}

// TestOutboxRefusesRemotePeer serves HTTP on a non-loopback address of this
// machine, so the peer of the test's own request is not loopback.
func TestOutboxRefusesRemotePeer(t *testing.T) {
	ip := outsideIP(t)
	e := start(t, t.TempDir()+"/db", capture, func(c *server.Config) {
		// http: the cookie jar keeps Secure cookies from a non-loopback http host.
		c.HTTP, c.BaseURL = net.JoinHostPort(ip, "0"), "http://lists.example.org"
	})
	e.list(t, &store.List{Address: "team@lists.example.org"}, store.NewMember{Address: "owner@example.net", Role: store.RoleOwner})
	b := newBrowser(t, e)
	if code, _ := b.askLink("owner@example.net", nil); code != http.StatusOK {
		t.Fatalf("ask for a link: %d", code)
	}
	waitFor(t, "the captured sign-in mail", func() bool { cs, _ := e.st.ListOutbox(t.Context(), 0, 10); return len(cs) == 1 })
	for _, path := range []string{"/outbox", "/outbox/1"} {
		if code, page := b.get(path); code != http.StatusForbidden || strings.Contains(page, "/login/") {
			t.Errorf("GET %s from %s: %d, want 403 without the link", path, ip, code)
		}
	}
}

// TestSignInLinkNeedsFormToken: POST /login/TOKEN without this browser's
// form token signs nobody in (login CSRF), and leaves the link usable.
func TestSignInLinkNeedsFormToken(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
	attacker := newBrowser(t, e)
	attacker.askLink("ann@example.net", nil)
	waitFor(t, "the sign-in mail", func() bool { return len(e.mailsTo("ann@example.net", "Your sign-in link")) == 1 })
	link := localPath(linkRe.FindString(string(e.mailsTo("ann@example.net", "Your sign-in link")[0].Data)))
	_, own := attacker.get(link)
	victim := newBrowser(t, e)
	for _, form := range []url.Values{{}, {"csrf": {csrfOf(t, own)}}} {
		if code, _ := victim.post(link, form); code != http.StatusForbidden {
			t.Errorf("POST link with form %v from another browser: %d, want 403", form, code)
		}
		if _, home := victim.get("/"); strings.Contains(home, "Signed in as") {
			t.Fatal("a cross-site POST signed the browser in")
		}
	}
	if code, _ := attacker.post(link, url.Values{"csrf": {csrfOf(t, own)}}); code != http.StatusOK {
		t.Fatalf("POST link with the page's token: %d", code)
	}
	if _, home := attacker.get("/"); !strings.Contains(home, "Signed in as ann@example.net") {
		t.Error("the refused POSTs used up the link")
	}
}

// TestSignInOnlyKnownAddresses: a stranger's address gets no mail, and the
// page says the same as for a member.
func TestSignInOnlyKnownAddresses(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
	b := newBrowser(t, e)
	c1, stranger := b.askLink("stranger@example.org", nil)
	c2, member := b.askLink("ann@example.net", nil)
	norm := func(p, addr string) string {
		return csrfRe.ReplaceAllString(strings.ReplaceAll(p, addr, "ADDR"), "")
	}
	if c1 != c2 || c1 != http.StatusOK || norm(stranger, "stranger@example.org") != norm(member, "ann@example.net") {
		t.Errorf("the answers differ: %d and %d", c1, c2)
	}
	waitFor(t, "the member's mail", func() bool { return e.sink.CountFor("ann@example.net") == 1 })
	if n := e.sink.CountFor("stranger@example.org"); n != 0 {
		t.Errorf("%d sign-in mails to an address nobody here knows", n)
	}
}

// TestSignInLimitPerClient: one client cannot ask for links to many
// addresses; a forged X-Forwarded-For does not make it many clients, while
// a trusted proxy's does.
func TestSignInLimitPerClient(t *testing.T) {
	var ms []store.NewMember
	for i := range 13 {
		ms = append(ms, store.NewMember{Address: fmt.Sprintf("m%d@example.net", i)})
	}
	ask := func(e *env, xff func(i int) string) (ok, limited int) {
		b := newBrowser(t, e)
		for i := range 12 {
			code, _ := b.askLink(ms[i].Address, map[string]string{"X-Forwarded-For": xff(i)})
			switch code {
			case http.StatusOK:
				ok++
			case http.StatusTooManyRequests:
				limited++
			}
		}
		return ok, limited
	}
	t.Run("forged header", func(t *testing.T) {
		e := start(t, t.TempDir()+"/db")
		e.list(t, &store.List{Address: "team@lists.example.org"}, ms...)
		ok, limited := ask(e, func(i int) string { return fmt.Sprintf("198.51.100.%d", i+1) })
		if ok != 10 || limited != 2 {
			t.Errorf("%d answered, %d refused; want 10 and 2", ok, limited)
		}
	})
	t.Run("trusted proxy", func(t *testing.T) {
		e := start(t, t.TempDir()+"/db", func(c *server.Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		})
		e.list(t, &store.List{Address: "team@lists.example.org"}, ms...)
		ok, limited := ask(e, func(int) string { return "203.0.113.7" })
		if ok != 10 || limited != 2 {
			t.Errorf("%d answered, %d refused; want 10 and 2", ok, limited)
		}
		last := ms[12].Address
		if code, _ := newBrowser(t, e).askLink(last, map[string]string{"X-Forwarded-For": "203.0.113.8"}); code != http.StatusOK {
			t.Errorf("another client behind the proxy: %d, want 200", code)
		}
		waitFor(t, "the other client's mail", func() bool { return e.sink.CountFor(last) == 1 })
		waitFor(t, "ten mails and the other client's", func() bool { return len(e.sink.Messages()) == 11 })
	})
}
