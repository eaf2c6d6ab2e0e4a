package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
)

// TestNewsletterInBrowser: /submit, a held newsletter item and the next
// issue's page in headless Chromium with JavaScript off: the forms work,
// the forms work with JavaScript off, and every page passes axe-core (WCAG 2.1 AA) and reflows at 320 px.
func TestNewsletterInBrowser(t *testing.T) {
	browser.Available(t)
	e := start(t, t.TempDir()+"/db")
	ctx := context.Background()
	nl, _ := nlSetup(t, e)
	login := func(addr, next string) string {
		u, err := signinLink(ctx, e.st, baseURL, addr, next)
		if err != nil {
			t.Fatal(err)
		}
		return localPath(u)
	}
	title := "Room for 30 people in Leeds"
	var report struct {
		Pages   []browser.Page
		Results []string
	}
	browser.Run(t, "newsletter.mjs", map[string]any{"base": "http://" + e.srv.Addr("http"),
		"memberLogin": login("ann@example.net", "/submit"), "memberLoginNoJS": login("ann@example.net", "/submit"),
		"offer": "Spare projector", "editorLogin": login("editor@example.net", "/moderate"),
		"next": "/newsletters/" + nl.ListID() + "/next", "title": title}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.Pages) != 8 {
		t.Errorf("%d pages audited, want 8", len(report.Pages))
	}
	want := []string{"has passed", "waits for the editors", "has passed", "waits for the editors", "are saved", "was approved", "introduction is saved", "Hello, network."}
	for i, w := range want {
		if i >= len(report.Results) || !strings.Contains(report.Results[i], w) {
			t.Errorf("step %d: want %q in %q", i, w, report.Results)
		}
	}
	if !strings.Contains(report.Results[len(report.Results)-1], title) {
		t.Error("the approved ask is not in the next issue's preview")
	}
	pendingItem(t, e, nl.ID, "Spare projector") // sent with JavaScript off
}
