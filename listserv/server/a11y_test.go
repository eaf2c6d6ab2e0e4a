package server_test

import (
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestPagesAccessible audits the pages of the foundation in headless
// Chromium: axe-core WCAG 2.1 AA, reflow at 320 px, JavaScript on and off;
// and, in the same audit, the html part of a digest the server sent.
func TestPagesAccessible(t *testing.T) {
	browser.Available(t)
	e := start(t, t.TempDir()+"/db", func(c *server.Config) { c.Relay = "capture" })
	l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team"}, teamMembers...)
	e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Hi", "a11y@x", ""))
	waitFor(t, "captured copies", func() bool { cs, _ := e.st.ListOutbox(t.Context(), 0, 10); return len(cs) >= 4 })
	digestURL := browser.ServeHTML(t, htmlPart(t, capturedDigest(t, e, l, "dig@example.net")))
	var report struct {
		Pages []browser.Page
		NoJS  []struct{ Path, H1 string }
	}
	paths := []string{"/", "/login", "/outbox", "/outbox/1", "/u/bad-token", "/no-such-page"}
	browser.Run(t, "smoke.mjs", map[string]any{"base": "http://" + e.srv.Addr("http"), "paths": paths,
		"urls": []string{digestURL}}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.NoJS) != len(paths)+1 {
		t.Fatalf("%d pages rendered without JavaScript, want %d", len(report.NoJS), len(paths)+1)
	}
	for _, p := range report.NoJS {
		if p.H1 == "" {
			t.Errorf("%s has no heading with JavaScript off", p.Path)
		}
	}
}

// capturedDigest sends addr's html digest now and returns it as captured.
func capturedDigest(t *testing.T, e *env, l *store.List, addr string) []byte {
	t.Helper()
	ctx := t.Context()
	m, err := e.st.GetMember(ctx, l.ID, addr)
	if err != nil {
		t.Fatal(err)
	}
	s := store.DefaultDigestSettings(m.ID)
	s.Format = store.DigestHTML
	if err := e.st.SetDigestSettings(ctx, &s); err != nil {
		t.Fatal(err)
	}
	// The server's own engine may send it first; either way it is captured.
	if _, err := e.srv.Digest.SendNow(ctx, l); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	waitFor(t, "the captured digest", func() bool {
		cs, err := e.st.ListOutbox(ctx, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.To == addr {
				raw = c.Raw
				return true
			}
		}
		return false
	})
	return raw
}

// htmlPart returns the decoded text/html part of a mail.
func htmlPart(t *testing.T, raw []byte) []byte {
	t.Helper()
	out, err := browser.HTMLPart(raw)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
