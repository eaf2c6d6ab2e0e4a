package server_test

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestNewsletterOnHomeAndMe: the newsletter is marked on / and has its
// own page (its schedule, where to submit, recent issues; the editors'
// link for editors only); the /me checkbox "Send me the weekly
// newsletter" is membership of it: ticking joins, clearing leaves, and
// leaving by other means clears the box.
func TestNewsletterOnHomeAndMe(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		ctx := context.Background()
		nl, _ := nlSetup(t, e)
		b := newBrowser(t, e)
		_, home := b.get("/")
		if !strings.Contains(home, "<strong>Newsletter</strong>") || !strings.Contains(home, `href="/submit?newsletter=weekly%40lists.example.org"`) {
			t.Errorf("home page does not mark the newsletter:\n%s", home)
		}
		if strings.Count(home, "<strong>Newsletter</strong>") != 1 {
			t.Error("a discussion list is marked as a newsletter")
		}
		page := "/lists/" + nl.ListID()
		_, lp := b.get(page)
		if !strings.Contains(lp, "This is a newsletter") || !strings.Contains(lp, "Mon 08:00 Europe/London") || strings.Contains(lp, "Edit and send") {
			t.Errorf("newsletter page (anonymous):\n%s", lp)
		}
		ed := newBrowser(t, e)
		signIn(t, e, ed, "editor@example.net")
		if _, lp = ed.get(page); !strings.Contains(lp, "Edit and send the next issue") {
			t.Error("the editor has no link to the next issue")
		}

		me := signIn(t, e, b, "cat@example.org")
		box := `id="newsletter" name="newsletter"`
		if strings.Contains(me, box+" checked") {
			t.Fatal("the box is ticked for someone not subscribed")
		}
		set := func(on bool) string {
			_, me := b.get("/me")
			form := url.Values{"csrf": {csrfOf(t, me)}, "format": {"plain"}, "section": {"events"}}
			if on {
				form.Set("newsletter", "on")
			}
			b.post("/me/newsletter", form)
			_, me = b.get("/me")
			return me
		}
		if me = set(true); !strings.Contains(me, box+" checked") {
			t.Errorf("ticked box not shown ticked")
		}
		if _, err := e.st.GetMember(ctx, nl.ID, "cat@example.org"); err != nil {
			t.Fatalf("ticking the box did not subscribe: %v", err)
		}
		if p, _ := e.st.GetPerson(ctx, "cat@example.org"); p.Format != store.FormatPlain || len(p.Sections) != 1 {
			t.Errorf("choices not saved: %+v", p)
		}
		if me = set(false); strings.Contains(me, box+" checked") {
			t.Error("cleared box still ticked")
		}
		if _, err := e.st.GetMember(ctx, nl.ID, "cat@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("clearing the box did not unsubscribe: %v", err)
		}
		// Leaving from the newsletter's row on /me clears the box too.
		me = set(true)
		m, err := e.st.GetMember(ctx, nl.ID, "cat@example.org")
		if err != nil {
			t.Fatal(err)
		}
		b.post("/me/leave/"+strconv.FormatInt(m.ID, 10), url.Values{"csrf": {csrfOf(t, me)}})
		if _, err := e.st.GetMember(ctx, nl.ID, "cat@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("leave from /me: %v", err)
		}
		if _, me = b.get("/me"); strings.Contains(me, box+" checked") {
			t.Error("box still ticked after leaving the newsletter")
		}
	})
}
