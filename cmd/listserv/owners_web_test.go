package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/postfix"
)

// webUser is a browser without JavaScript: cookies, forms, redirects.
type webUser struct {
	t    *testing.T
	c    *http.Client
	base string
}

var (
	csrfFieldRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	memberIDRe  = regexp.MustCompile(`/members/([0-9]+)">new@example\.org<`)
)

func (u *webUser) get(path string) (int, string) {
	u.t.Helper()
	resp, err := u.c.Get(u.base + path)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		u.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// submit posts form (with the CSRF token of the page at from) to path.
func (u *webUser) submit(from, path string, form url.Values) (int, string) {
	u.t.Helper()
	_, page := u.get(from)
	m := csrfFieldRe.FindStringSubmatch(page)
	if m == nil {
		u.t.Fatalf("no form token on %s:\n%s", from, page)
	}
	form.Set("csrf", m[1])
	resp, err := u.c.PostForm(u.base+path, form)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		u.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// signInWeb signs address in with a link from `listserv login-link`.
func (c *cli) signInWeb(addr, httpAddr string) *webUser {
	c.t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &webUser{t: c.t, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}, base: "http://" + httpAddr}
	link := strings.TrimPrefix(strings.TrimSpace(c.ok("login-link", addr)), u.base)
	if code, page := u.submit(link, link, url.Values{}); code != 200 || !strings.Contains(page, "Signed in as "+addr) {
		c.t.Fatalf("sign in %s: %d\n%s", addr, code, page)
	}
	return u
}

// TestOwnersWebAndCLI: what an owner changes on the web, the CLI shows,
// and what the CLI changes, the owner's pages show; a site administrator
// named by the CLI creates a list on the web. Against the real binary.
func TestOwnersWebAndCLI(t *testing.T) {
	c := backends[0].newCLI(t)
	c.ok("list", "create", "team@example.org", "--name", "Team")
	c.ok("member", "add", "team@example.org", "owner@example.org", "--role", "owner", "--name", "Olive Owner")
	c.ok("admin", "add", "root@example.org")
	addr := postfix.FreeAddr(t)
	c.startServe(addr, "--smtp", "off", "--imap", "off", "--delivery", "off")

	owner := c.signInWeb("owner@example.org", addr)
	settings := "/lists/team.example.org/settings"
	code, page := owner.submit(settings, settings, url.Values{"subject-prefix": {"[web]"}, "footer": {"Sent by the team list"},
		"policy": {"moderated"}, "hold-days": {"7"}, "digest-hour": {"18"}})
	if code != 200 || !strings.Contains(page, "Saved.") {
		t.Fatalf("save settings: %d\n%s", code, page)
	}
	l := c.list("team@example.org")
	if l.SubjectPrefix != "[web]" || l.Footer != "Sent by the team list" || l.Policy != "moderated" || l.Digest.Hour != 18 {
		t.Errorf("list ls --json after the web's change: %+v", l)
	}
	if out := c.ok("moderation", "set", "team@example.org"); !strings.Contains(out, "hold-days 7") {
		t.Errorf("moderation set after the web's change: %s", out)
	}

	members := "/lists/team.example.org/members"
	code, page = owner.submit(members, members, url.Values{"addresses": {"New Person <new@example.org>"}, "how": {"add"},
		"role": {"member"}, "mode": {"digest"}})
	if code != 200 || !strings.Contains(page, "Added 1;") {
		t.Fatalf("add member: %d\n%s", code, page)
	}
	var found bool
	for _, m := range c.members("team@example.org") {
		found = found || m.Address == "new@example.org" && m.Name == "New Person" && m.Mode == "digest" && m.Source == "owner"
	}
	if !found {
		t.Errorf("member ls has no new@example.org as added on the web: %+v", c.members("team@example.org"))
	}

	// The other way: the CLI changes, the pages show.
	c.ok("list", "set", "team@example.org", "--footer", "From the command line")
	c.ok("member", "set", "team@example.org", "new@example.org", "--role", "moderator")
	if _, page = owner.get(settings); !strings.Contains(page, "From the command line</textarea>") {
		t.Errorf("settings page does not show the CLI's footer:\n%s", page)
	}
	_, page = owner.get(members + "?q=new")
	m := memberIDRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("members page search for new finds nobody:\n%s", page)
	}
	if _, page = owner.get(members + "/" + m[1]); !strings.Contains(page, "<dd>moderator</dd>") {
		t.Errorf("member page does not show the CLI's role:\n%s", page)
	}
	_, page = owner.get("/lists/team.example.org/audit")
	for _, want := range []string{"Olive Owner (owner@example.org) changed who may post from &#34;members&#34; to &#34;moderated&#34;; the subject prefix from (none) to &#34;[web]&#34;",
		"Olive Owner (owner@example.org) changed the moderation settings: new members&#39; first posts held: 0, most To and Cc addresses: 10, accepted kinds of content: all, days a held item waits: 7",
		"Olive Owner (owner@example.org) added new@example.org (1 added, 0 already members)",
		"(command line) changed the footer from &#34;Sent by the team list&#34; to &#34;From the command line&#34;",
		"(command line) changed new@example.org: role &#34;member&#34; to &#34;moderator&#34;"} {
		if !strings.Contains(page, want) {
			t.Errorf("audit log lacks %q:\n%s", want, page)
		}
	}

	// A site administrator creates a list on the web; the CLI lists it.
	root := c.signInWeb("root@example.org", addr)
	code, page = root.submit("/admin", "/admin/lists", url.Values{"address": {"news@example.org"}, "name": {"News"}, "policy": {"announce"}})
	if code != 200 || !strings.Contains(page, "The list was created") {
		t.Fatalf("create list on the web: %d\n%s", code, page)
	}
	if n := c.list("news@example.org"); n.Name != "News" || n.Policy != "announce" {
		t.Errorf("list ls after the web created news: %+v", n)
	}
	if out := c.ok("admin", "ls"); !strings.Contains(out, "root@example.org") {
		t.Errorf("admin ls: %s", out)
	}
	// The owner is no site administrator.
	if code, _ := owner.get("/admin"); code != http.StatusForbidden {
		t.Errorf("an owner got /admin: %d", code)
	}
}
