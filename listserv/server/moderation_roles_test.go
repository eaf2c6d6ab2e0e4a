package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestModerationRoles: a moderator of one list cannot see or act on
// another list's items or audit log, a moderator is not an owner, members
// and strangers see no queue, and a form without its CSRF token does
// nothing.
func TestModerationRoles(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		ctx := context.Background()
		e.list(t, &store.List{Address: "alpha@lists.example.org"}, []store.NewMember{
			{Address: "amod@example.net", Role: store.RoleModerator}, {Address: "aowner@example.net", Role: store.RoleOwner},
			{Address: "member@example.net"}}...)
		e.list(t, &store.List{Address: "beta@lists.example.org"}, []store.NewMember{
			{Address: "bmod@example.net", Role: store.RoleModerator}}...)
		e.mustSend(t, "x@else.example", []string{"alpha@lists.example.org"}, post("x@else.example", "for alpha", "a@x", ""))
		e.mustSend(t, "x@else.example", []string{"beta@lists.example.org"}, post("x@else.example", "for beta", "b@x", ""))
		ha, hb := modHeldWith(t, e, "for alpha"), modHeldWith(t, e, "for beta")

		amod := modSignIn(t, e, "amod@example.net")
		code, queue := amod.get("/moderate")
		if code != 200 || !strings.Contains(queue, "for alpha") || strings.Contains(queue, "for beta") {
			t.Fatalf("alpha's moderator's queue (%d) shows the wrong items:\n%s", code, queue)
		}
		csrf := csrfOf(t, queue)
		if code, _ := amod.get(fmt.Sprintf("/moderate/%d", hb.ID)); code != http.StatusNotFound {
			t.Errorf("beta's item for alpha's moderator: %d, want 404", code)
		}
		if code, _ := amod.post(fmt.Sprintf("/moderate/%d", hb.ID), url.Values{"csrf": {csrf}, "action": {"approve"}}); code != http.StatusNotFound {
			t.Errorf("approving beta's item as alpha's moderator: %d, want 404", code)
		}
		_, page := amod.post("/moderate", url.Values{"csrf": {csrf}, "action": {"discard"}, "id": {fmt.Sprint(hb.ID)}})
		if !strings.Contains(page, "not found in the lists you moderate") {
			t.Errorf("bulk action on another list's item did not say so:\n%s", page)
		}
		if code, _ := amod.get("/lists/beta.lists.example.org/audit"); code != http.StatusForbidden {
			t.Errorf("beta's audit for alpha's moderator: %d, want 403", code)
		}
		if code, _ := amod.get("/lists/alpha.lists.example.org/audit"); code != http.StatusForbidden {
			t.Errorf("alpha's audit for a moderator who is not an owner: %d, want 403", code)
		}
		if code, _ := amod.post(fmt.Sprintf("/moderate/%d", ha.ID), url.Values{"action": {"approve"}}); code != http.StatusForbidden {
			t.Errorf("action without CSRF token: %d, want 403", code)
		}
		if got, _ := e.st.GetHeld(ctx, hb.ID); got.State != "pending" {
			t.Fatalf("beta's item was %s by %s", got.State, got.HandledBy)
		}
		if got, _ := e.st.GetHeld(ctx, ha.ID); got.State != "pending" {
			t.Fatalf("alpha's item was %s without a CSRF token", got.State)
		}

		member := modSignIn(t, e, "member@example.net")
		if code, _ := member.get("/moderate"); code != http.StatusForbidden {
			t.Errorf("a plain member's /moderate: %d, want 403", code)
		}
		if code, _ := member.get(fmt.Sprintf("/moderate/%d", ha.ID)); code != http.StatusNotFound {
			t.Errorf("a plain member's view of a held item: %d, want 404", code)
		}
		anon := newBrowser(t, e)
		anon.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		if code, _ := anon.get("/moderate"); code != http.StatusSeeOther {
			t.Errorf("anonymous /moderate: %d, want a redirect to sign in", code)
		}
		owner := modSignIn(t, e, "aowner@example.net")
		if code, _ := owner.get("/lists/alpha.lists.example.org/audit"); code != http.StatusOK {
			t.Errorf("alpha's owner's audit: %d", code)
		}
		if code, _ := owner.get("/lists/nosuch.lists.example.org/audit"); code != http.StatusNotFound {
			t.Errorf("audit of an unknown list: %d, want 404", code)
		}
	})
}

// TestModerationQueuePages: the queue pages by id (never the whole queue
// at once), and a moderator's choice of a daily summary is saved.
func TestModerationQueuePages(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		ctx := context.Background()
		l := e.list(t, &store.List{Address: "team@lists.example.org"}, modTeam...)
		var items []*store.Intake
		for i := range 27 {
			raw := post("x@else.example", fmt.Sprintf("queued %02d", i), fmt.Sprintf("q%d@x", i), "")
			items = append(items, &store.Intake{Message: &store.Message{ListID: l.ID, FromAddr: "x@else.example",
				Subject: fmt.Sprintf("queued %02d", i), Raw: []byte(raw), State: store.StateHeld, Reason: "test"}})
		}
		if err := e.st.SaveIntake(ctx, items); err != nil {
			t.Fatal(err)
		}
		b := modSignIn(t, e, "mod@example.net")
		_, first := b.get("/moderate")
		if !strings.Contains(first, "queued 00") || !strings.Contains(first, "queued 24") || strings.Contains(first, "queued 25") {
			t.Fatalf("first page does not hold exactly the 25 oldest items")
		}
		next := fmt.Sprintf("/moderate?after=%d", items[24].HeldID)
		if !strings.Contains(first, `href="`+strings.ReplaceAll(next, "&", "&amp;")+`"`) {
			t.Fatalf("first page lacks a link to %s", next)
		}
		_, second := b.get(next)
		if !strings.Contains(second, "queued 25") || !strings.Contains(second, "queued 26") || strings.Contains(second, "queued 24") ||
			strings.Contains(second, "Next page") {
			t.Errorf("second page is not the last two items")
		}
		field := fmt.Sprintf("notify-%d", l.ID)
		if _, page := b.post("/moderate/notify", url.Values{"csrf": {csrfOf(t, first)}, field: {"daily"}}); !strings.Contains(page, "preferences are saved") {
			t.Errorf("no confirmation of the saved preference")
		}
		staff, _ := e.st.ListStaff(ctx, l.ID)
		for _, s := range staff {
			if want := map[bool]string{true: store.NotifyDaily, false: store.NotifyEach}[s.Address == "mod@example.net"]; s.Notify != want {
				t.Errorf("%s notify = %s, want %s", s.Address, s.Notify, want)
			}
		}
	})
}
