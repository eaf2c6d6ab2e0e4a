package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/store"
)

// htmlOnlyPost is a post with only an HTML body, full of what the preview
// must not show (a remote image, a script, an inline handler).
func htmlOnlyPost(subject string) string {
	return "From: stranger@else.example\r\nTo: team@lists.example.org\r\nSubject: " + subject +
		"\r\nMessage-ID: <html@x>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		"<p onclick=\"steal()\">Hello <b>all</b></p><img src=\"https://tracker.example/p.gif\" alt=\"x\">" +
		"<script>alert(1)</script><p><a href=\"https://example.org/agenda\">the agenda</a></p>\r\n"
}

// TestModerationInBrowser: a moderator signs in with a login link, approves
// one held post and rejects another with a reason in headless Chromium,
// with JavaScript on and again off (with a bulk action); every moderation
// page passes axe-core and reflows at 320 px; then the sink holds the
// approved posts for every member and the rejection notices, and the audit
// log (page and store) shows the actions.
func TestModerationInBrowser(t *testing.T) {
	browser.Available(t)
	e := modStart(t, t.TempDir()+"/db")
	ctx := context.Background()
	members := []store.NewMember{{Address: "ann@example.net"}, {Address: "bob@example.com"},
		{Address: "mod@example.net", Role: store.RoleOwner}}
	l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team"}, members...)
	e.list(t, &store.List{Address: "other@lists.example.org"}, store.NewMember{Address: "mod@example.net", Role: store.RoleModerator})
	subjects := []string{"Agenda for Tuesday", "Buy cheap pills", "Minutes of the AGM", "Win a prize now"}
	for i, s := range subjects {
		e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"},
			post("stranger@else.example", s, fmt.Sprintf("b%d@x", i), ""))
	}
	e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"}, htmlOnlyPost("Styled newsletter"))
	for _, s := range append(subjects, "Styled newsletter") {
		modHeldWith(t, e, s)
	}
	if _, err := e.st.HoldSubscription(ctx, l.ID, store.NewMember{Address: "joiner@example.org", Source: "web"}, "owner approval required"); err != nil {
		t.Fatal(err)
	}
	links := make([]string, 2)
	for i := range links {
		u, err := signinLink(ctx, e.st, baseURL, "mod@example.net", "/moderate")
		if err != nil {
			t.Fatal(err)
		}
		links[i] = localPath(u)
	}
	reason := "Please post product offers elsewhere."
	var report struct {
		Pages      []browser.Page
		Results    []string
		Audit      string
		EmptyQueue string
		Reload     struct{ Path, Method, Status string }
	}
	browser.Run(t, "moderation.mjs", map[string]any{"base": "http://" + e.srv.Addr("http"),
		"loginJS": links[0], "loginNoJS": links[1], "approve": []string{subjects[0], subjects[2]},
		"reject": []string{subjects[1], subjects[3]}, "reason": reason, "html": "Styled newsletter",
		"audit": "/lists/" + l.ListID() + "/audit", "forbidden": "/lists/other.lists.example.org/audit"}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.Pages) != 11 {
		t.Errorf("%d pages audited, want 11", len(report.Pages))
	}
	want := []string{"“Agenda for Tuesday” from stranger@else.example was approved.",
		"“Buy cheap pills” from stranger@else.example was rejected and the sender was told.",
		"“Minutes of the AGM” from stranger@else.example was approved.",
		"“Win a prize now” from stranger@else.example was rejected and the sender was told.",
		"“Styled newsletter” from stranger@else.example was approved."}
	for i, w := range want {
		if i >= len(report.Results) || !strings.Contains(report.Results[i], w) {
			t.Errorf("feedback %d: want %q in %q", i, w, report.Results)
		}
	}
	if r := report.Reload; !strings.HasPrefix(r.Path, "/moderate?") || r.Method != http.MethodGet || !strings.Contains(r.Status, want[0]) {
		t.Errorf("after approving, the browser is on %q and a reload is a %s showing %q; want the queue by GET with %q",
			r.Path, r.Method, r.Status, want[0])
	}
	if len(report.Results) == 5 && !strings.Contains(report.Results[4], "subscription request from joiner@example.org was approved") {
		t.Errorf("bulk feedback does not mention the subscription request: %q", report.Results[4])
	}
	if !strings.Contains(report.EmptyQueue, "Nothing is waiting") {
		t.Errorf("queue not empty after the bulk action:\n%s", report.EmptyQueue)
	}

	modSettle(t, e)
	for _, s := range []string{subjects[0], subjects[2], "Styled newsletter"} {
		modDelivered(t, e, s, "ann@example.net", "bob@example.com", "mod@example.net")
	}
	for _, s := range []string{subjects[1], subjects[3]} {
		if n := len(modCopiesWith(e, "ann@example.net", s)); n != 0 {
			t.Errorf("rejected %q was delivered", s)
		}
	}
	rej := modNotices(e, "stranger@else.example", "rejected")
	if len(rej) != 2 || !strings.Contains(string(rej[0].Data)+string(rej[1].Data), reason) {
		t.Errorf("%d rejection notices, want 2, one with the reason", len(rej))
	}
	if _, err := e.st.GetMember(ctx, l.ID, "joiner@example.org"); err != nil {
		t.Errorf("approved subscription request did not add the member: %v", err)
	}
	audit, _ := e.st.ListAudit(ctx, l.ID, 0, 20)
	actions := map[string]int{}
	for _, a := range audit {
		if a.Actor != "mod@example.net" {
			t.Errorf("audit entry by %q", a.Actor)
		}
		actions[a.Action]++
	}
	if actions["approved"] != 4 || actions["rejected"] != 2 {
		t.Errorf("audit actions = %v, want 4 approved and 2 rejected", actions)
	}
	for _, w := range []string{"approved", "rejected", reason, "mod@example.net"} {
		if !strings.Contains(report.Audit, w) {
			t.Errorf("audit page lacks %q:\n%s", w, report.Audit)
		}
	}
}
