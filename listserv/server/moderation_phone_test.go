package server_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestModerationOnPhone: the queue and an item's page at 375 px wide in
// headless Chromium: nothing scrolls sideways or sticks out, every tap
// target is at least 44 px each way, the item's first action is on the
// first screen, and the queue's cells keep their column labels.
func TestModerationOnPhone(t *testing.T) {
	browser.Available(t)
	e := modStart(t, t.TempDir()+"/db")
	ctx := context.Background()
	e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team"},
		store.NewMember{Address: "mod@example.net", Role: store.RoleOwner})
	e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"},
		post("stranger@else.example", "A rather long subject about the agenda for the annual general meeting", "ph1@x", ""))
	h := modHeldWith(t, e, "A rather long subject about the agenda for the annual general meeting")
	u, err := signinLink(ctx, e.st, baseURL, "mod@example.net", "/moderate")
	if err != nil {
		t.Fatal(err)
	}
	shots := t.ArtifactDir()
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	var report struct {
		Pages    []browser.Page
		Measures []struct {
			Name           string
			Scroll, VW     int
			Small, Outside []string
			FirstAction    *float64
			Labels         []string
		}
	}
	browser.Run(t, "phone.mjs", map[string]any{"base": "http://" + e.srv.Addr("http"), "login": localPath(u),
		"item": "/moderate/" + strconv.FormatInt(h.ID, 10), "shots": shots}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.Measures) != 2 {
		t.Fatalf("%d pages measured, want 2", len(report.Measures))
	}
	for _, m := range report.Measures {
		if m.Scroll > m.VW {
			t.Errorf("%s scrolls sideways: %d px wide in a %d px screen", m.Name, m.Scroll, m.VW)
		}
		for _, s := range m.Small {
			t.Errorf("%s: tap target under 44 px: %s", m.Name, s)
		}
		for _, s := range m.Outside {
			t.Errorf("%s: control outside the screen: %s", m.Name, s)
		}
		if m.Name == "item" && (m.FirstAction == nil || *m.FirstAction > 740) {
			t.Errorf("item: the first button is not on the first 740 px screen (at %.0f px)", deref(m.FirstAction))
		}
	}
	if q := report.Measures[0]; len(q.Labels) == 0 || strings.Contains(strings.Join(q.Labels, ""), "none") {
		t.Errorf("the phone queue has no column labels: %q", q.Labels)
	}
}

func deref(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}
