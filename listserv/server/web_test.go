package server_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// browser is a cookie-keeping HTTP client that never follows redirects
// silently, so tests see each step.
type webClient struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, e *env) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: "http://" + e.srv.Addr("http"), c: &http.Client{Jar: jar}}
}

func (b *webClient) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *webClient) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%s", page)
	}
	return m[1]
}

// localPath turns a URL under baseURL into a path on the test server.
func localPath(u string) string { return strings.TrimPrefix(u, baseURL) }

var linkRe = regexp.MustCompile(`https://lists\.example\.org/login/[a-z2-7]+\S*`)

func TestSignInByEmailedLink(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		b := newBrowser(t, e)
		_, page := b.get("/login?next=/")
		if code, _ := b.post("/login", url.Values{"address": {"ann@example.net"}}); code != http.StatusForbidden {
			t.Errorf("POST without CSRF token: %d, want 403", code)
		}
		code, page := b.post("/login", url.Values{"address": {"ann@example.net"}, "csrf": {csrfOf(t, page)}, "next": {"/"}})
		if code != 200 || !strings.Contains(page, "sign-in link is on its way") {
			t.Fatalf("request link: %d\n%s", code, page)
		}
		waitFor(t, "the sign-in mail", func() bool { return e.sink.CountFor("ann@example.net") == 1 })
		mail := string(e.copiesTo("ann@example.net")[0].Data)
		if !strings.Contains(mail, "Auto-Submitted: auto-replied") {
			t.Error("sign-in mail lacks Auto-Submitted")
		}
		link := localPath(linkRe.FindString(mail))
		code, page = b.get(link) // a link scanner's GET must not use the token
		if code != 200 || !strings.Contains(page, "Press the button") {
			t.Fatalf("GET link: %d", code)
		}
		code, page = b.get(link)
		if code != 200 {
			t.Fatalf("second GET of the link: %d (a GET used the token)", code)
		}
		if code, _ = b.post(link, url.Values{"csrf": {csrfOf(t, page)}}); code != 200 {
			t.Fatalf("POST link: %d", code)
		}
		_, home := b.get("/")
		if !strings.Contains(home, "Signed in as ann@example.net") {
			t.Fatal("not signed in after following the link")
		}
		// The link is single use, even in another browser.
		other := newBrowser(t, e)
		_, p2 := other.get(link)
		if !strings.Contains(p2, "expired or was already used") {
			t.Error("a used link still offers to sign in")
		}
		b.post("/logout", url.Values{"csrf": {csrfOf(t, home)}})
		if _, home = b.get("/"); strings.Contains(home, "Signed in as") {
			t.Error("still signed in after signing out")
		}
	})
}

func TestSignInThrottled(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	e.list(t, &store.List{Address: "team@lists.example.org"}, store.NewMember{Address: "victim@example.org"})
	b := newBrowser(t, e)
	_, page := b.get("/login")
	for range 6 {
		b.post("/login", url.Values{"address": {"victim@example.org"}, "csrf": {csrfOf(t, page)}})
	}
	waitFor(t, "mail", func() bool { return e.sink.CountFor("victim@example.org") >= 3 })
	if n := e.sink.CountFor("victim@example.org"); n != 3 {
		t.Errorf("%d sign-in mails to one address, want at most 3 an hour", n)
	}
}
