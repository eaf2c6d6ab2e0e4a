package server_test

import (
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestPagesAccessible audits the pages of the foundation in headless
// Chromium: axe-core WCAG 2.1 AA, reflow at 320 px, JavaScript on and off.
func TestPagesAccessible(t *testing.T) {
	browser.Available(t)
	e := start(t, t.TempDir()+"/db", func(c *server.Config) { c.Relay = "capture" })
	e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team"}, teamMembers...)
	e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Hi", "a11y@x", ""))
	waitFor(t, "captured copies", func() bool { cs, _ := e.st.ListOutbox(t.Context(), 0, 10); return len(cs) >= 4 })
	var report struct {
		Pages []browser.Page
		NoJS  []struct{ Path, H1 string }
	}
	paths := []string{"/", "/login", "/outbox", "/outbox/1", "/u/bad-token", "/no-such-page"}
	browser.Run(t, "smoke.mjs", map[string]any{"base": "http://" + e.srv.Addr("http"), "paths": paths}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.NoJS) != len(paths) {
		t.Fatalf("%d pages rendered without JavaScript, want %d", len(report.NoJS), len(paths))
	}
	for _, p := range report.NoJS {
		if p.H1 == "" {
			t.Errorf("%s has no heading with JavaScript off", p.Path)
		}
	}
}
