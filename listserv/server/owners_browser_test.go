package server_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestOwnersInBrowser: an owner changes the settings and members of a
// list in headless Chromium, with JavaScript on and off; a site
// administrator creates and removes a list and renames the site. Every
// page passes axe-core and reflows at 320 px; screenshots at 390 and
// 1280 px are kept as test artefacts (go test -artifacts); the store then
// holds every change.
func TestOwnersInBrowser(t *testing.T) {
	browser.Available(t)
	e := start(t, t.TempDir()+"/db")
	ctx := context.Background()
	l, _ := ownersWorld(t, e)
	if err := admin.AddAdmin(ctx, e.st, "root@example.org", "test"); err != nil {
		t.Fatal(err)
	}
	link := func(addr, next string) string {
		u, err := signinLink(ctx, e.st, baseURL, addr, next)
		if err != nil {
			t.Fatal(err)
		}
		return localPath(u)
	}
	shots := t.ArtifactDir()
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	var report struct {
		Pages               []browser.Page
		Results, Shots      []string
		Member, Audit       string
		SiteName, SiteAudit string
		Phone               []struct {
			Name  string
			Width int
		}
	}
	browser.Run(t, "owners.mjs", map[string]any{"base": "http://" + e.srv.Addr("http"), "list": l.ListID(),
		"ownerJS": link("owner@example.net", "/owners"), "ownerNoJS": link("owner@example.net", "/owners"),
		"admin": link("root@example.org", "/admin"), "shots": shots}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.Pages) != 10 {
		t.Errorf("%d pages audited, want 10", len(report.Pages))
	}
	want := []string{"Saved.", "Added 2; 0 were members already.", "Saved.", "The member was removed", "Saved.",
		"Added 1; 0 were members already.", "The list was created", "The list was removed", "Saved. Every page"}
	for i, w := range want {
		if i >= len(report.Results) || !strings.Contains(report.Results[i], w) {
			t.Errorf("feedback %d: want %q in %q", i, w, report.Results)
		}
	}
	if !strings.Contains(report.Member, "moderator") || !strings.Contains(report.Member, "Digest") {
		t.Errorf("member after the change:\n%s", report.Member)
	}
	for _, p := range report.Phone {
		if p.Width > 390 {
			t.Errorf("%s scrolls sideways at 390 px (%d px wide)", p.Name, p.Width)
		}
	}
	if len(report.Shots) != 8 {
		t.Errorf("%d screenshots, want 8", len(report.Shots))
	}
	for _, f := range report.Shots {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("screenshot %s: %v", f, err)
		}
	}
	got, err := e.st.GetListByID(ctx, l.ID)
	if err != nil || got.SubjectPrefix != "[team]" || got.Policy != store.PolicyModerated || got.Footer != "Team Talk, for the team." || got.ReplyTo != "author" {
		t.Errorf("list after the browser: %+v %v", got, err)
	}
	if ms, _ := e.st.ModerationSettings(ctx, l.ID); ms.HoldDays != 9 {
		t.Errorf("hold days %d, want 9", ms.HoldDays)
	}
	if d, _ := e.st.GetListDigest(ctx, l.ID); d.MaxPosts != 25 {
		t.Errorf("digest max posts %d, want 25", d.MaxPosts)
	}
	for _, a := range []string{"yan@example.org", "nojs@example.org"} {
		if _, err := e.st.GetMember(ctx, l.ID, a); err != nil {
			t.Errorf("%s not a member: %v", a, err)
		}
	}
	if _, err := e.st.GetMember(ctx, l.ID, "zoe@example.org"); err == nil {
		t.Error("zoe was not removed")
	}
	if _, err := e.st.GetList(ctx, "news@lists.example.org"); err == nil {
		t.Error("news was not removed")
	}
	for _, w := range []string{"owner@example.net changed who may post", "owner@example.net removed zoe@example.org"} {
		if !strings.Contains(report.Audit, w) {
			t.Errorf("audit page lacks %q:\n%s", w, report.Audit)
		}
	}
	if !strings.Contains(report.SiteName, "Democracy Network Lists") {
		t.Errorf("header after renaming the site: %q", report.SiteName)
	}
	for _, w := range []string{"root@example.org created news@lists.example.org", "root@example.org removed news@lists.example.org"} {
		if !strings.Contains(report.SiteAudit, w) {
			t.Errorf("site audit lacks %q:\n%s", w, report.SiteAudit)
		}
	}
}
