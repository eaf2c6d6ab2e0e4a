package digest

import (
	"os"
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
)

// TestHTMLDigestAccessible loads the html part of the golden html digest
// in headless Chromium: axe-core WCAG 2.1 AA finds nothing, it reflows at
// 320 px, and its heading shows with JavaScript off.
func TestHTMLDigestAccessible(t *testing.T) {
	browser.Available(t)
	raw, err := os.ReadFile("testdata/html.golden")
	if err != nil {
		t.Fatal(err)
	}
	url := browser.ServeHTML(t, htmlPart(t, raw))
	var report struct {
		Pages []browser.Page
		NoJS  []struct{ Path, H1 string }
	}
	browser.Run(t, "smoke.mjs", map[string]any{"paths": []string{}, "urls": []string{url}}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.NoJS) != 1 || report.NoJS[0].H1 == "" {
		t.Errorf("no heading with JavaScript off: %+v", report.NoJS)
	}
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
