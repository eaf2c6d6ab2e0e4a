package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// approvedItem adds an approved item to a newsletter.
func approvedItem(t *testing.T, e *env, l *store.List, it *store.Item) *store.Item {
	t.Helper()
	it.ListID, it.State = l.ID, store.ItemApproved
	if err := newsletter.Normalize(it, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.st.AddItem(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	return it
}

// TestNewsletterEditors: the editors' page of the next issue. A
// subscriber gets 404; the editor previews it as a plain-text subscriber
// with only asks (and as someone who is not subscribed: a clear error),
// saves an introduction (in the preview at once), sends a test copy to
// themselves (only they get it), then sends the issue: every subscriber
// gets exactly one copy, and the page says when nothing is left to send.
func TestNewsletterEditors(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		ctx := context.Background()
		nl, _ := nlSetup(t, e)
		if _, _, err := e.st.AddMembers(ctx, nl.ID, []store.NewMember{{Address: "bob@example.com"}}); err != nil {
			t.Fatal(err)
		}
		p := store.DefaultPerson("bob@example.com")
		p.Format, p.Sections = store.FormatPlain, []string{"asks"}
		if err := e.st.SavePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		approvedItem(t, e, nl, &store.Item{Kind: store.ItemAsk, Title: "Need a hall"})
		approvedItem(t, e, nl, &store.Item{Kind: store.ItemResearch, Title: "Heat pump study", By: "Uni"})
		path := "/newsletters/" + nl.ListID() + "/next"

		member := newBrowser(t, e)
		signIn(t, e, member, "ann@example.net")
		if code, _ := member.get(path); code != http.StatusNotFound {
			t.Errorf("a subscriber opened the editors' page: %d", code)
		}

		ed := newBrowser(t, e)
		signIn(t, e, ed, "editor@example.net")
		code, page := ed.get(path + "?as=bob%40example.com&format=plain")
		if code != 200 || !strings.Contains(page, "Need a hall") || strings.Contains(page, "Heat pump study") || strings.Contains(page, "preview.html") {
			t.Fatalf("preview as bob (asks, plain): %d\n%s", code, page)
		}
		if code, page = ed.get(path + "?as=nobody%40example.com"); code != http.StatusUnprocessableEntity || !strings.Contains(page, "not subscribed") {
			t.Errorf("preview as a stranger: %d", code)
		}
		code, page = ed.get(path)
		if code != 200 || !strings.Contains(page, "Heat pump study") || !strings.Contains(page, "preview.html") {
			t.Fatalf("preview: %d\n%s", code, page)
		}
		if code, h := ed.get(path + "/preview.html"); code != 200 || !strings.Contains(h, `lang="en-GB"`) || !strings.Contains(h, "Heat pump study") {
			t.Errorf("html preview: %d", code)
		}
		if code, _ := ed.post(path, url.Values{"action": {"intro"}, "intro": {"x"}}); code != http.StatusForbidden {
			t.Errorf("POST without CSRF: %d", code)
		}
		code, page = ed.post(path, url.Values{"csrf": {csrfOf(t, page)}, "action": {"intro"}, "intro": {"Welcome to the spring issue."}})
		if code != 200 || !strings.Contains(page, "introduction is saved") || !strings.Contains(page, "Welcome to the spring issue.</textarea>") ||
			strings.Count(page, "Welcome to the spring issue.") < 2 {
			t.Fatalf("intro: %d\n%s", code, page)
		}
		code, page = ed.post(path, url.Values{"csrf": {csrfOf(t, page)}, "action": {"test"}, "format": {"html"}})
		if code != 200 || !strings.Contains(page, "test copy is on its way") {
			t.Fatalf("test copy: %d", code)
		}
		test := e.waitMail(t, "editor@example.net", "[Test] Network weekly")
		if !strings.Contains(string(test.Data), "Welcome to the spring issue.") || !strings.Contains(string(test.Data), "text/html") {
			t.Error("test copy lacks the introduction or the html part")
		}
		code, page = ed.post(path, url.Values{"csrf": {csrfOf(t, page)}, "action": {"send"}})
		if code != 200 || !strings.Contains(page, "is being sent") {
			t.Fatalf("send: %d\n%s", code, page)
		}
		for _, a := range []string{"ann@example.net", "bob@example.com", "editor@example.net"} {
			waitFor(t, "issue 1 to "+a, func() bool { return len(e.mailsTo(a, "Network weekly: Issue 1")) == 1 })
		}
		if got := e.mailsTo("bob@example.com", "Network weekly: Issue 1"); strings.Contains(string(got[0].Data), "text/html") ||
			strings.Contains(plainText(t, got[0].Data), "Heat pump study") {
			t.Error("bob's copy is not plain text with his section only")
		}
		if n := len(e.mailsTo("ann@example.net", "[Test]")); n != 0 {
			t.Errorf("a subscriber got %d test copies", n)
		}
		// Sent: the research is published, the introduction cleared, but
		// the ask stays open; an issue with only that is still sendable,
		// so check the empty case with the ask withdrawn.
		// The copies can arrive before the sender files the issue as sent
		// (delivery starts on the first queued batch): wait for that too.
		var is *store.NewsletterIssue
		waitFor(t, "issue 1 filed as sent", func() bool {
			var err error
			if is, err = e.st.LastIssue(ctx, nl.ID); err != nil {
				t.Fatal(err)
			}
			return is.State == store.IssueSent
		})
		if is.Intro != "Welcome to the spring issue." {
			t.Fatalf("issue 1: %+v", is)
		}
		its, _ := e.st.ListItems(ctx, store.ItemFilter{ListID: nl.ID, Kinds: []string{store.ItemAsk}}, 5)
		if _, err := e.st.SetItemState(ctx, its[0].ID, []string{store.ItemApproved, store.ItemPublished}, store.ItemWithdrawn); err != nil {
			t.Fatal(err)
		}
		_, page = ed.get(path)
		if code, page = ed.post(path, url.Values{"csrf": {csrfOf(t, page)}, "action": {"send"}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(page, "nothing to send") {
			t.Errorf("send with nothing: %d\n%s", code, page)
		}
	})
}
