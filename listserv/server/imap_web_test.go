package server_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/demnet-uk/listserv/internal/browser"
)

var secretRe = regexp.MustCompile(`<code class="secret">([a-z0-9-]+)</code>`)

// imapLogin reports whether address and password sign in over IMAP.
func imapLogin(t *testing.T, addr, address, password string) error {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.Login(address, password).Wait()
}

// TestAppPasswordsPage: on /me a signed-in member makes an app password
// (shown once, with the IMAP settings), signs in to IMAP with it, sees
// its last use, revokes it, and can no longer sign in. A form without
// its CSRF token changes nothing. The page passes axe-core and reflows
// at 320 px, before and after a password is made.
func TestAppPasswordsPage(t *testing.T) {
	e := startIMAP(t, t.TempDir()+"/l.db")
	b := newBrowser(t, e.env)
	me := signIn(t, e.env, b, "ann@example.net")
	if !strings.Contains(me, `href="/me/app-passwords"`) {
		t.Fatalf("/me does not link to the app passwords page")
	}
	code, empty := b.get("/me/app-passwords")
	if code != 200 || !strings.Contains(empty, "You have no app passwords yet") || !strings.Contains(empty, e.imapAddr()[strings.LastIndex(e.imapAddr(), ":")+1:]) {
		t.Fatalf("page: %d\n%s", code, empty)
	}
	if code, _ := b.post("/me/app-passwords", url.Values{"name": {"laptop"}}); code != 403 {
		t.Errorf("create without CSRF: %d, want 403", code)
	}
	code, made := b.post("/me/app-passwords", url.Values{"csrf": {csrfOf(t, empty)}, "name": {"laptop"}})
	m := secretRe.FindStringSubmatch(made)
	if code != 200 || m == nil || !strings.Contains(made, "for “laptop”") {
		t.Fatalf("create: %d\n%s", code, made)
	}
	if err := imapLogin(t, e.imapAddr(), "ann@example.net", m[1]); err != nil {
		t.Fatalf("IMAP sign-in with the new app password: %v", err)
	}
	_, listed := b.get("/me/app-passwords")
	if strings.Contains(listed, m[1]) || !strings.Contains(listed, "laptop") || strings.Contains(listed, ">never<") {
		t.Errorf("after use the page should list laptop, used, without the password:\n%s", listed)
	}
	ps, err := e.st.ListAppPasswords(t.Context(), "ann@example.net")
	if err != nil || len(ps) != 1 {
		t.Fatalf("stored: %v, %v", ps, err)
	}
	revoke := "/me/app-passwords/" + itoa(ps[0].ID) + "/revoke"
	if code, _ := b.post(revoke, url.Values{"csrf": {csrfOf(t, listed)}}); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	_, after := b.get("/me/app-passwords?done=revoked")
	if !strings.Contains(after, "was revoked") || !strings.Contains(after, "You have no app passwords yet") {
		t.Errorf("after revoke:\n%s", after)
	}
	err = imapLogin(t, e.imapAddr(), "ann@example.net", m[1])
	if err == nil || !strings.Contains(err.Error(), "AUTHENTICATIONFAILED") {
		t.Errorf("IMAP sign-in after revoke: %v", err)
	}
	if code, _ := b.post(revoke, url.Values{"csrf": {csrfOf(t, after)}}); code != 404 {
		t.Errorf("revoking again: %d, want 404", code)
	}

	t.Run("accessible", func(t *testing.T) {
		browser.Available(t)
		var report struct{ Pages []browser.Page }
		browser.Run(t, "markup.mjs", map[string]any{"pages": []map[string]string{
			{"name": "app passwords (none)", "html": empty}, {"name": "app password made", "html": made},
			{"name": "app passwords (listed)", "html": listed}}}, &report)
		browser.CheckPages(t, report.Pages)
	})
}
