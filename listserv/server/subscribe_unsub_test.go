package server_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestOneClickFromDeliveredCopy is RFC 8058 end to end: the https URL is
// taken from a delivered copy's List-Unsubscribe header; GETs (link
// scanners) change nothing; a bare POST of List-Unsubscribe=One-Click,
// without cookies or CSRF token, removes the member at once, keeps the
// evidence and acknowledges by mail; a second POST is harmless.
func TestOneClickFromDeliveredCopy(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Hi", "oc@x", ""))
		waitFor(t, "copies", func() bool { return e.sink.Count() >= 4 })
		cp := e.copiesTo("bob@example.com")[0]
		if cp.Header("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Fatalf("List-Unsubscribe-Post = %q", cp.Header("List-Unsubscribe-Post"))
		}
		u := regexp.MustCompile(`<(https://[^>]+)>`).FindStringSubmatch(cp.Header("List-Unsubscribe"))[1]
		local := "http://" + e.srv.Addr("http") + localPath(u)
		ctx := context.Background()
		for range 3 {
			resp, err := http.Get(local)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("GET: %v %v", resp, err)
			}
			resp.Body.Close()
			resp, _ = http.Head(local)
			resp.Body.Close()
		}
		if _, err := e.st.GetMember(ctx, l.ID, "bob@example.com"); err != nil {
			t.Fatalf("a GET or HEAD unsubscribed: %v", err)
		}
		if n := len(e.copiesTo("bob@example.com")); n != 1 {
			t.Fatalf("a GET sent mail (%d messages)", n)
		}
		// Exactly what a mail provider sends (RFC 8058 section 3.1).
		resp, err := http.Post(local, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("one-click POST: %v %v", resp, err)
		}
		resp.Body.Close()
		if _, err := e.st.GetMember(ctx, l.ID, "bob@example.com"); err == nil {
			t.Fatal("member still subscribed after the one-click POST")
		}
		for _, a := range eachMembers {
			if a != "bob@example.com" {
				if _, err := e.st.GetMember(ctx, l.ID, a); err != nil {
					t.Errorf("%s was removed too", a)
				}
			}
		}
		cs, _ := e.st.ListConsent(ctx, "bob@example.com")
		if len(cs) != 1 || cs[0].Action != "left" || cs[0].How != "one-click" || cs[0].ListID != l.ID {
			t.Errorf("evidence of leaving = %+v", cs)
		}
		e.waitMail(t, "bob@example.com", "You have left Team Talk")
		resp, _ = http.Post(local, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if resp.StatusCode != 200 {
			t.Errorf("second one-click POST: %d", resp.StatusCode)
		}
		resp.Body.Close()
		resp, _ = http.Post(strings.Replace(local, "/u/", "/u/1", 1), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if resp.StatusCode != 404 {
			t.Errorf("forged token: %d, want 404", resp.StatusCode)
		}
		resp.Body.Close()
		// The page after leaving offers to join again (double opt-in).
		b := newBrowser(t, e)
		ann := e.copiesTo("ann@example.net")[0]
		annURL := localPath(regexp.MustCompile(`<(https://[^>]+)>`).FindStringSubmatch(ann.Header("List-Unsubscribe"))[1])
		code, page := b.post(annURL, nil)
		if code != 200 || !strings.Contains(page, "Join Team Talk again") {
			t.Fatalf("page after leaving: %d\n%s", code, page)
		}
		b.post(teamPage+"/subscribe", map[string][]string{"csrf": {csrfOf(t, page)}, "address": {"ann@example.net"}})
		e.waitMail(t, "ann@example.net", "Confirm: join Team Talk")
	})
}
