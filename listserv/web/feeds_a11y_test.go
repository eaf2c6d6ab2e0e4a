package web_test

import (
	"path/filepath"
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/web"
)

// TestBrowsePagesAccessible audits the events, research, asks-and-offers,
// organisation and directory pages, filled and empty, in headless
// Chromium: axe-core WCAG 2.1 AA, reflow at 320 px, and a heading with
// JavaScript off (tests/browser/smoke.mjs).
func TestBrowsePagesAccessible(t *testing.T) {
	browser.Available(t)
	st, err := sqldb.Open(t.Context(), filepath.Join(t.TempDir(), "listserv.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	seedFeeds(t, st)
	base := site(t, st, web.Options{BaseURL: siteURL})
	paths := []string{"/events", "/events?region=wales&attend=in-person", "/events?region=london", "/research",
		"/research?topic=nothing", "/asks-offers", "/asks-offers?kind=ask", "/directory/org?name=Democracy%20Lab",
		"/directory", "/directory/org?name=Nobody"}
	var report struct {
		Pages []browser.Page
		NoJS  []struct{ Path, H1 string }
	}
	browser.Run(t, "smoke.mjs", map[string]any{"base": base, "paths": paths}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.Pages) != len(paths) || len(report.NoJS) != len(paths) {
		t.Fatalf("audited %d pages, %d without JavaScript; want %d", len(report.Pages), len(report.NoJS), len(paths))
	}
	for _, p := range report.NoJS {
		if p.H1 == "" {
			t.Errorf("%s has no heading with JavaScript off", p.Path)
		}
	}
}
