package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

const teamPage = "/lists/team.lists.example.org"

var confirmRe = regexp.MustCompile(`https://lists\.example\.org/confirm/[a-z2-7]+`)

// mailsTo returns the sink's messages to addr whose subject starts with prefix.
func (e *env) mailsTo(addr, prefix string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range e.copiesTo(addr) {
		if strings.HasPrefix(m.Header("Subject"), prefix) {
			out = append(out, m)
		}
	}
	return out
}

// waitMail waits for the one message to addr with a subject prefix.
func (e *env) waitMail(t *testing.T, addr, prefix string) smtpsink.Message {
	t.Helper()
	waitFor(t, "mail to "+addr+": "+prefix, func() bool { return len(e.mailsTo(addr, prefix)) > 0 })
	return e.mailsTo(addr, prefix)[0]
}

// subscribeForm posts the list page's form as a visitor would.
func subscribeForm(t *testing.T, b *webClient, address string) (int, string) {
	t.Helper()
	_, page := b.get(teamPage)
	return b.post(teamPage+"/subscribe", url.Values{"csrf": {csrfOf(t, page)}, "address": {address}, "name": {"Stranger"}})
}

// TestSubscribeByWebForm is double opt-in through the form: one
// confirmation however often the form is posted, a GET of the link that
// changes nothing, a POST that joins, a welcome, and a used link that
// does nothing the second time.
func TestSubscribeByWebForm(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk", Description: "Talk about the team."}, teamMembers...)
		ctx := context.Background()
		b := newBrowser(t, e)
		code, page := b.get(teamPage)
		if code != 200 || !strings.Contains(page, "Team Talk") || !strings.Contains(page, "6 members") ||
			!strings.Contains(page, "team@lists.example.org") || !strings.Contains(page, "checked by a moderator") {
			t.Fatalf("list page: %d\n%s", code, page)
		}
		for i := range 5 {
			code, page = subscribeForm(t, b, "stranger@example.org")
			if code != 200 || !strings.Contains(page, "Check your email") {
				t.Fatalf("form post %d: %d\n%s", i, code, page)
			}
		}
		// A second visitor (another cookie jar) asking for the same address.
		subscribeForm(t, newBrowser(t, e), "stranger@example.org")
		m := e.waitMail(t, "stranger@example.org", "Confirm: join Team Talk")
		time.Sleep(300 * time.Millisecond) // let any extra mail arrive
		if n := len(e.copiesTo("stranger@example.org")); n != 1 {
			t.Fatalf("stranger got %d messages for 6 form posts, want 1", n)
		}
		if m.Header("Auto-Submitted") != "auto-generated" || m.Header("Reply-To") == "" ||
			!strings.HasPrefix(m.Header("Reply-To"), "<team-confirm+") || m.From != "team-bounces@lists.example.org" {
			t.Errorf("confirmation headers: Auto-Submitted %q Reply-To %q envelope %q", m.Header("Auto-Submitted"), m.Header("Reply-To"), m.From)
		}
		link := localPath(confirmRe.FindString(string(m.Data)))
		for range 2 { // link scanners: a GET changes nothing
			if code, page = b.get(link); code != 200 || !strings.Contains(page, "Yes, join the list") {
				t.Fatalf("GET confirmation link: %d\n%s", code, page)
			}
		}
		if _, err := e.st.GetMember(ctx, l.ID, "stranger@example.org"); err == nil {
			t.Fatal("a GET of the confirmation link subscribed the address")
		}
		if code, page = b.post(link, nil); code != 200 || !strings.Contains(page, "Welcome to Team Talk") {
			t.Fatalf("POST confirmation: %d\n%s", code, page)
		}
		mem, err := e.st.GetMember(ctx, l.ID, "stranger@example.org")
		if err != nil || mem.Source != "web" || mem.Name != "Stranger" || mem.Mode != store.ModeEach {
			t.Fatalf("member after confirming: %+v %v", mem, err)
		}
		cs, _ := e.st.ListConsent(ctx, "stranger@example.org")
		if len(cs) != 2 || cs[0].Action != "requested" || cs[1].Action != "confirmed" || cs[1].Origin != "127.0.0.1" || cs[1].How != "web" {
			t.Errorf("consent evidence = %+v", cs)
		}
		w := e.waitMail(t, "stranger@example.org", "Welcome to Team Talk")
		if body := string(w.Data); !strings.Contains(body, "team@lists.example.org") || !strings.Contains(body, "/me") || !strings.Contains(body, "/u/") {
			t.Errorf("welcome lacks how to post, change delivery or leave:\n%s", body)
		}
		// Used: a friendly page, 410, a way to get a fresh link, no change.
		code, page = b.post(link, nil)
		if code != http.StatusGone || !strings.Contains(page, "expired or was already used") || !strings.Contains(page, "/lists/team.lists.example.org/subscribe") {
			t.Errorf("reused link: %d\n%s", code, page)
		}
		if code, _ = b.get(link); code != http.StatusGone {
			t.Errorf("GET of a used link: %d, want 410", code)
		}
	})
}

// TestExpiredConfirmationDoesNothing: an old mail's link gets the friendly
// page and never subscribes.
func TestExpiredConfirmationDoesNothing(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"})
		plain, hash := token.Random()
		old := time.Now().Add(-8 * 24 * time.Hour)
		err := e.st.CreateSubToken(context.Background(), &store.SubToken{Hash: hash, Kind: store.TokenJoin, Address: "late@example.org",
			ListID: l.ID, Data: `{"how":"web"}`, Created: old, Expires: old.Add(7 * 24 * time.Hour)}, store.TokenLimits{})
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, e)
		for _, do := range []func() (int, string){
			func() (int, string) { return b.get("/confirm/" + plain) },
			func() (int, string) { return b.post("/confirm/"+plain, nil) },
		} {
			code, page := do()
			if code != http.StatusGone || !strings.Contains(page, "expired") || !strings.Contains(page, `value="late@example.org"`) {
				t.Errorf("expired link: %d\n%s", code, page)
			}
		}
		if code, page := b.get("/confirm/nosuchtoken"); code != http.StatusGone || !strings.Contains(page, "expired or was already used") {
			t.Errorf("unknown token: %d\n%s", code, page)
		}
		// The form on the friendly page sends a fresh link.
		_, page := b.get("/confirm/" + plain)
		b.post(teamPage+"/subscribe", url.Values{"csrf": {csrfOf(t, page)}, "address": {"late@example.org"}})
		m := e.waitMail(t, "late@example.org", "Confirm")
		if _, err := e.st.GetMember(context.Background(), l.ID, "late@example.org"); err == nil {
			t.Error("an expired link subscribed the address")
		}
		if !confirmRe.MatchString(string(m.Data)) {
			t.Error("the fresh confirmation has no link")
		}
	})
}

// TestSubscribeThrottledPerIP: one client cannot ask for more than the
// per-IP limit of confirmations an hour, whatever the addresses.
func TestSubscribeThrottledPerIP(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	e.list(t, &store.List{Address: "team@lists.example.org"})
	b := newBrowser(t, e)
	_, page := b.get(teamPage)
	csrf := csrfOf(t, page)
	last := 0
	for i := range 21 {
		last, _ = b.post(teamPage+"/subscribe", url.Values{"csrf": {csrf}, "address": {"a" + string(rune('a'+i)) + "@example.org"}})
		if i < 20 && last != 200 {
			t.Fatalf("request %d refused: %d", i+1, last)
		}
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("21st request from one IP: %d, want 429", last)
	}
	if code, _ := b.post(teamPage+"/subscribe", url.Values{"address": {"x@example.org"}}); code != http.StatusForbidden {
		t.Errorf("POST without CSRF token: %d, want 403", code)
	}
}
