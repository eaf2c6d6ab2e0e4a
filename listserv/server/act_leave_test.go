package server_test

import (
	"context"
	"net/mail"
	"net/url"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestLeaveByMailIsConfirmed: mail to LIST-leave@ (or "unsubscribe" to
// LIST-request@) with a forged From removes nobody; the member gets a
// confirmation with a LIST-confirm+TOKEN@ Reply-To and a link. A GET of the
// link changes nothing, the POST leaves (with consent evidence); a reply to
// the confirmation address leaves too.
func TestLeaveByMailIsConfirmed(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		ctx := context.Background()
		isMember := func(a string) bool { _, err := e.st.GetMember(ctx, l.ID, a); return err == nil }

		// A forger writes to -leave as bob.
		e.mustSend(t, "forger@evil.example", []string{"team-leave@lists.example.org"},
			cmdMail("bob@example.com", "team-leave@lists.example.org", "bye", "", ""))
		e.waitMail(t, "bob@example.com", "Confirm: leave Team Talk")
		if !isMember("bob@example.com") {
			t.Fatal("mail to -leave removed the member without confirmation")
		}
		link, err := linkFromMail(e, "bob@example.com", "Confirm: leave", `https://\S+/confirm/\S+`)
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, e)
		if code, page := b.get(localPath(link)); code != 200 || !strings.Contains(page, "Leave Team Talk") {
			t.Fatalf("confirm page: %d\n%s", code, page)
		}
		if !isMember("bob@example.com") {
			t.Fatal("a GET of the leave link removed the member")
		}
		if code, page := b.post(localPath(link), url.Values{}); code != 200 || !strings.Contains(page, "left") {
			t.Fatalf("confirm POST: %d\n%s", code, page)
		}
		if isMember("bob@example.com") {
			t.Fatal("still a member after confirming")
		}
		cs, err := e.st.ListConsent(ctx, "bob@example.com")
		if err != nil || len(cs) == 0 || cs[len(cs)-1].Action != "left" || cs[len(cs)-1].How != "web" {
			t.Errorf("consent after leaving: %+v, %v", cs, err)
		}

		// "unsubscribe" to -request: the reply says a confirmation is on
		// its way; replying to the confirmation leaves.
		req := "team-request@lists.example.org"
		e.mustSend(t, "cat@example.org", []string{req}, cmdMail("cat@example.org", req, "unsubscribe", "", ""))
		if r := e.waitMail(t, "cat@example.org", "Re: unsubscribe"); !strings.Contains(string(r.Data), "confirmation") {
			t.Errorf("unsubscribe reply:\n%s", r.Data)
		}
		cc := e.waitMail(t, "cat@example.org", "Confirm: leave Team Talk")
		if !isMember("cat@example.org") {
			t.Fatal("unsubscribe to -request removed the member without confirmation")
		}
		rt, err := mail.ParseAddress(cc.Header("Reply-To"))
		if err != nil || !strings.HasPrefix(rt.Address, "team-confirm+") {
			t.Fatalf("confirmation Reply-To %q: %v", cc.Header("Reply-To"), err)
		}
		e.mustSend(t, "cat@example.org", []string{rt.Address}, cmdMail("cat@example.org", rt.Address, "Re: Confirm: leave", "yes", ""))
		e.waitMail(t, "cat@example.org", "You have left Team Talk")
		if isMember("cat@example.org") {
			t.Error("still a member after replying to the confirmation")
		}
	})
}
