package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestModerationOnPhone: the queue, an item's page and the queue after
// approving it (reached by redirect after POST) at 390 px wide in headless
// Chromium: nothing scrolls sideways or sticks out, every tap target is at
// least 44 px each way, the item's first action is on the first screen,
// and the queue's cells keep their column labels. Every page is kept as a
// screenshot at 390 and 1280 px (go test -artifacts).
func TestModerationOnPhone(t *testing.T) {
	browser.Available(t)
	e := modStart(t, t.TempDir()+"/db")
	ctx := context.Background()
	e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team"},
		store.NewMember{Address: "mod@example.net", Role: store.RoleOwner})
	e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"},
		post("stranger@else.example", "A rather long subject about the agenda for the annual general meeting", "ph1@x", ""))
	e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"},
		post("stranger@else.example", "Minutes of the last meeting", "ph2@x", ""))
	h := modHeldWith(t, e, "A rather long subject about the agenda for the annual general meeting")
	modHeldWith(t, e, "Minutes of the last meeting")
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
		Shots []struct {
			File          string
			Width, Scroll int
		}
		AfterAction string
	}
	browser.Run(t, "phone.mjs", map[string]any{"base": "http://" + e.srv.Addr("http"), "login": localPath(u),
		"item": "/moderate/" + strconv.FormatInt(h.ID, 10), "shots": shots}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.Measures) != 3 {
		t.Fatalf("%d pages measured, want 3", len(report.Measures))
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
	for _, q := range []int{0, 2} {
		if m := report.Measures[q]; len(m.Labels) == 0 || strings.Contains(strings.Join(m.Labels, ""), "none") {
			t.Errorf("the phone %s has no column labels: %q", m.Name, m.Labels)
		}
	}
	if !strings.HasPrefix(report.AfterAction, "/moderate?") {
		t.Errorf("after approving on the phone the browser is on %q, want the queue (redirect after POST)", report.AfterAction)
	}
	checkShots(t, report.Shots, 6)
}

// checkShots checks that want screenshots were kept, none empty, and that
// none scrolls sideways at its width.
func checkShots(t *testing.T, shots []struct {
	File          string
	Width, Scroll int
}, want int) {
	t.Helper()
	if len(shots) != want {
		t.Errorf("%d screenshots, want %d", len(shots), want)
	}
	for _, s := range shots {
		if fi, err := os.Stat(s.File); err != nil || fi.Size() == 0 {
			t.Errorf("screenshot %s: %v", s.File, err)
		}
		if s.Scroll > s.Width {
			t.Errorf("%s scrolls sideways: %d px wide at %d px", filepath.Base(s.File), s.Scroll, s.Width)
		}
	}
	t.Logf("%d screenshots in %s", len(shots), filepath.Dir(shots[0].File))
}

func deref(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}
