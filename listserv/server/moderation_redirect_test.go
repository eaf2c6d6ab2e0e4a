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

// noFollow is b's client stopping at redirects, so a test sees the 303.
func noFollow(b *webClient) *webClient {
	c := *b.c // same cookie jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &webClient{t: b.t, c: &c, base: b.base}
}

// seeOther posts form to path and returns the redirect's target, failing
// unless the answer is 303 See Other to a page on this site.
func seeOther(t *testing.T, b *webClient, path string, form url.Values) string {
	t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/") {
		t.Fatalf("POST %s: %d to %q, want 303 See Other to a page here", path, resp.StatusCode, loc)
	}
	return loc
}

// TestModerationRedirectAfterPost: every moderation form answers 303 See
// Other to a page that shows what happened, so the browser ends on a GET
// page and a reload shows the outcome again without acting again; the
// outcome in the address is signed for the session (another moderator
// opening it, or a changed address, shows no outcome); a form with a
// mistake is shown again at once, without a redirect.
func TestModerationRedirectAfterPost(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		ctx := context.Background()
		e.list(t, &store.List{Address: "team@lists.example.org"}, append(modTeam,
			store.NewMember{Address: "mod2@example.net", Role: store.RoleModerator})...)
		for _, s := range []string{"first held", "second held", "third held"} {
			e.mustSend(t, "x@else.example", []string{"team@lists.example.org"}, post("x@else.example", s, s+"@x", ""))
		}
		h1, h2, h3 := modHeldWith(t, e, "first held"), modHeldWith(t, e, "second held"), modHeldWith(t, e, "third held")
		mod := noFollow(modSignIn(t, e, "mod@example.net"))
		_, queue := mod.get("/moderate")
		csrf := csrfOf(t, queue)

		// One item's action.
		loc := seeOther(t, mod, fmt.Sprintf("/moderate/%d", h1.ID), url.Values{"csrf": {csrf}, "action": {"approve"}})
		if !strings.HasPrefix(loc, "/moderate?") {
			t.Errorf("after approving: redirected to %q, want the queue", loc)
		}
		want := "“first held” from x@else.example was approved."
		for range 2 { // the page, then a reload
			if code, page := mod.get(loc); code != 200 || !strings.Contains(page, want) || strings.Contains(page, "was already approved") {
				t.Fatalf("queue after approving (%d) does not say %q:\n%s", code, want, page)
			}
		}
		got, err := e.st.GetHeld(ctx, h1.ID)
		if err != nil || got.State != "approved" || got.HandledBy != "mod@example.net" {
			t.Fatalf("first held after approving and two reloads: %+v, %v", got, err)
		}
		// Acting again through the form (not a reload) is told it was done.
		again := seeOther(t, mod, fmt.Sprintf("/moderate/%d", h1.ID), url.Values{"csrf": {csrf}, "action": {"reject"}})
		if _, page := mod.get(again); !strings.Contains(page, "was already approved by mod@example.net") {
			t.Errorf("second action on a handled item does not say so:\n%s", page)
		}

		// The outcome is the session's: not another moderator's, not an edited address.
		mod2 := noFollow(modSignIn(t, e, "mod2@example.net"))
		if _, page := mod2.get(loc); strings.Contains(page, "was approved") {
			t.Errorf("another moderator opening the address sees the outcome:\n%s", page)
		}
		forged := strings.Replace(loc, "approve", "discard", 1)
		if _, page := mod.get(forged); strings.Contains(page, "was discarded") || strings.Contains(page, "was approved") {
			t.Errorf("an edited address shows an outcome:\n%s", page)
		}

		// Bulk action on the rest, and an id of no list the caller moderates.
		loc = seeOther(t, mod, "/moderate", url.Values{"csrf": {csrf}, "action": {"discard"},
			"id": {fmt.Sprint(h2.ID), fmt.Sprint(h3.ID), "999999"}})
		_, page := mod.get(loc)
		for _, w := range []string{"“second held” from x@else.example was discarded.", "“third held” from x@else.example was discarded.",
			"Held item 999999 was not found"} {
			if !strings.Contains(page, w) {
				t.Errorf("queue after the bulk action does not say %q:\n%s", w, page)
			}
		}
		for _, h := range []*store.Held{h2, h3} {
			if got, err := e.st.GetHeld(ctx, h.ID); err != nil || got.State != "discarded" {
				t.Errorf("held %d after the bulk discard: %+v, %v", h.ID, got, err)
			}
		}

		// Notice preferences.
		field := "notify-" + fmt.Sprint(h1.ListID)
		loc = seeOther(t, mod, "/moderate/notify", url.Values{"csrf": {csrf}, field: {"daily"}})
		if _, page := mod.get(loc); !strings.Contains(page, "preferences are saved") {
			t.Errorf("queue after saving preferences:\n%s", page)
		}

		// A form with a mistake is shown again, not redirected.
		if code, page := mod.post("/moderate", url.Values{"csrf": {csrf}, "action": {"discard"}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(page, "Select at least one item") {
			t.Errorf("bulk action with nothing selected: %d\n%s", code, page)
		}
	})
}
