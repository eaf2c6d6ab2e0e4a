package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// signIn reaches /me without a session, asks for the emailed link there,
// and follows it.
func signIn(t *testing.T, e *env, b *webClient, addr string) string {
	t.Helper()
	code, page := b.get("/me")
	if code != 200 || !strings.Contains(page, "Email me a sign-in link") {
		t.Fatalf("/me without a session: %d\n%s", code, page)
	}
	before := len(e.mailsTo(addr, "Your sign-in link"))
	b.post("/login", url.Values{"csrf": {csrfOf(t, page)}, "address": {addr}, "next": {"/me"}})
	waitFor(t, "sign-in mail", func() bool { return len(e.mailsTo(addr, "Your sign-in link")) > before })
	link := localPath(linkRe.FindString(string(e.mailsTo(addr, "Your sign-in link")[before].Data)))
	_, page = b.get(link)
	if code, _ := b.post(link, url.Values{"csrf": {csrfOf(t, page)}, "next": {"/me"}}); code != 200 {
		t.Fatalf("sign in: %d", code)
	}
	_, page = b.get("/me")
	if !strings.Contains(page, "Signed in as "+addr) {
		t.Fatalf("not signed in:\n%s", page)
	}
	return page
}

func TestPreferencesPage(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		other := e.list(t, &store.List{Address: "news@lists.example.org", Name: "News"})
		hidden := e.list(t, &store.List{Address: "secret@lists.example.org", Name: "Secret"})
		ctx := context.Background()
		e.st.SetListAccess(ctx, &store.ListAccess{ListID: hidden.ID, Visibility: store.VisibilityHidden, Join: store.JoinConfirm, Erasure: store.ErasureKeep}, "test")
		b := newBrowser(t, e)
		page := signIn(t, e, b, "ann@example.net")
		if !strings.Contains(page, "How you get Team Talk") || !strings.Contains(page, "Join News") || strings.Contains(page, "Secret") {
			t.Fatalf("/me does not show the lists it should:\n%s", page)
		}
		m, _ := e.st.GetMember(ctx, l.ID, "ann@example.net")
		csrf := csrfOf(t, page)
		until := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
		code, _ := b.post("/me/delivery/"+strconv.FormatInt(m.ID, 10), url.Values{"csrf": {csrf}, "delivery": {"nomail"}, "until": {until}})
		if code != 200 {
			t.Fatalf("save delivery: %d", code)
		}
		m, _ = e.st.GetMember(ctx, l.ID, "ann@example.net")
		p, _ := e.st.GetMemberPrefs(ctx, m.ID)
		if m.Mode != store.ModeNoMail || p.NoMailUntil.Format("2006-01-02") != until || p.OwnPosts || p.ResumeMode != store.ModeEach {
			t.Errorf("after nomail until %s: mode %s prefs %+v", until, m.Mode, p)
		}
		if n, _ := e.st.ResumeNoMail(ctx, p.NoMailUntil.Add(time.Minute)); n != 1 {
			t.Errorf("holiday end resumed %d", n)
		}
		// Another person's membership is not reachable by its id.
		bob, _ := e.st.GetMember(ctx, l.ID, "bob@example.com")
		if code, _ := b.post("/me/delivery/"+strconv.FormatInt(bob.ID, 10), url.Values{"csrf": {csrf}, "delivery": {"nomail"}}); code != 404 {
			t.Errorf("changing someone else's delivery: %d, want 404", code)
		}
		if code, _ := b.post("/me/delivery/"+strconv.FormatInt(m.ID, 10), url.Values{"delivery": {"daily"}}); code != 403 {
			t.Errorf("POST without CSRF: %d, want 403", code)
		}
		b.post("/me/newsletter", url.Values{"csrf": {csrf}, "newsletter": {"on"}, "section": {"events", "offers", "bogus"}, "format": {"plain"}})
		b.post("/me/profile", url.Values{"csrf": {csrf}, "name": {"Ann  Example"}, "org_name": {"Vote Wales"}, "org_website": {"votewales.example"},
			"org_region": {"wales"}, "org_focus": {"participation"}, "in_directory": {"on"}})
		per, err := e.st.GetPerson(ctx, "ann@example.net")
		if err != nil || !per.Newsletter || strings.Join(per.Sections, ",") != "events,offers" || per.Format != "plain" ||
			per.Name != "Ann Example" || per.OrgWebsite != "https://votewales.example" || !per.InDirectory {
			t.Fatalf("profile = %+v %v", per, err)
		}
		_, dir := newBrowser(t, e).get("/directory?region=wales")
		if !strings.Contains(dir, "Vote Wales") || strings.Contains(dir, "ann@example.net") {
			t.Errorf("directory:\n%s", dir)
		}
		if _, dir = newBrowser(t, e).get("/directory?region=scotland"); strings.Contains(dir, "Vote Wales") {
			t.Error("the region filter does not filter")
		}
		// Join another list from /me, then leave it there.
		if code, page = b.post("/me/join/news.lists.example.org", url.Values{"csrf": {csrf}}); code != 200 || !strings.Contains(page, "You have joined News") {
			t.Fatalf("join from /me: %d\n%s", code, page)
		}
		nm, err := e.st.GetMember(ctx, other.ID, "ann@example.net")
		if err != nil || nm.Name != "Ann Example" {
			t.Fatalf("member of News: %+v %v", nm, err)
		}
		e.waitMail(t, "ann@example.net", "Welcome to News")
		if code, page = b.post("/me/leave/"+strconv.FormatInt(nm.ID, 10), url.Values{"csrf": {csrf}}); code != 200 || !strings.Contains(page, "You have left News") {
			t.Fatalf("leave from /me: %d\n%s", code, page)
		}
		if _, err := e.st.GetMember(ctx, other.ID, "ann@example.net"); err == nil {
			t.Error("still on News")
		}
		// Your data, as JSON.
		resp, err := b.c.Get(b.base + "/me/data.json")
		if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("data export: %v %v", resp, err)
		}
		var x struct {
			Address       string
			Profile       struct{ Organisation string }
			Subscriptions []struct{ List, Delivery string }
			Consent       []struct{ Action, How string }
			Posts         []struct{ Subject string }
		}
		json.NewDecoder(resp.Body).Decode(&x)
		resp.Body.Close()
		if x.Address != "ann@example.net" || x.Profile.Organisation != "Vote Wales" || len(x.Subscriptions) != 1 ||
			x.Subscriptions[0].Delivery != "each" || len(x.Consent) != 2 {
			t.Errorf("export = %+v", x)
		}
	})
}

func TestChangeAddressAndDeleteAccount(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		ctx := context.Background()
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Mine", "mine@x", ""))
		waitFor(t, "copies", func() bool { return e.sink.Count() >= 4 })
		b := newBrowser(t, e)
		page := signIn(t, e, b, "ann@example.net")
		b.post("/me/address", url.Values{"csrf": {csrfOf(t, page)}, "new_address": {"ann@new.example"}})
		c := e.waitMail(t, "ann@new.example", "Confirm your new address")
		link := localPath(confirmRe.FindString(string(c.Data)))
		if _, err := e.st.GetMember(ctx, l.ID, "ann@example.net"); err != nil {
			t.Fatal("the address moved before the new one was confirmed")
		}
		if code, page := b.post(link, nil); code != 200 || !strings.Contains(page, "now go to ann@new.example") {
			t.Fatalf("confirm new address: %d\n%s", code, page)
		}
		if _, err := e.st.GetMember(ctx, l.ID, "ann@new.example"); err != nil {
			t.Fatal("membership did not move")
		}
		_, page = b.get("/me")
		if !strings.Contains(page, "Signed in as ann@new.example") {
			t.Fatalf("session not moved to the new address")
		}
		code, page := b.get("/me/delete")
		if code != 200 || !strings.Contains(page, "Delete my account") {
			t.Fatalf("delete page: %d", code)
		}
		if m, _ := e.st.GetMember(ctx, l.ID, "ann@new.example"); m == nil {
			t.Fatal("the delete page (a GET) deleted the account")
		}
		code, page = b.post("/me/delete", url.Values{"csrf": {csrfOf(t, page)}})
		if code != 200 || !strings.Contains(page, "has been deleted") || strings.Contains(page, "Signed in as") {
			t.Fatalf("delete: %d\n%s", code, page)
		}
		if ms, _ := e.st.Memberships(ctx, "ann@new.example"); len(ms) != 0 {
			t.Errorf("still on %d lists after deleting the account", len(ms))
		}
		if cs, _ := e.st.ListConsent(ctx, "ann@new.example"); len(cs) != 0 {
			t.Errorf("consent kept: %+v", cs)
		}
		msgs, _ := e.st.PostsBy(ctx, "ann@example.net", 0, 10)
		if len(msgs) != 0 {
			t.Errorf("the post still names its author: %+v", msgs)
		}
		if m, _ := e.st.GetMessage(ctx, 1); m == nil || m.FromName != "former member" || strings.Contains(string(m.Raw), "ann@example.net") {
			t.Errorf("archived post after erasure: %+v", m)
		}
		e.waitMail(t, "ann@new.example", "Your account has been deleted")
		if _, body := b.get("/me/data.json"); strings.Contains(body, `"subscriptions"`) {
			t.Error("still signed in after deleting the account")
		}
	})
}

func TestOwnerRulesInvitationAndApproval(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		ctx := context.Background()
		ann := newBrowser(t, e)
		signIn(t, e, ann, "ann@example.net")
		if code, _ := ann.get(teamPage + "/joining"); code != http.StatusForbidden {
			t.Errorf("a member opened the owners' page: %d", code)
		}
		o := newBrowser(t, e)
		signIn(t, e, o, "owner@example.net")
		_, page := o.get(teamPage + "/joining")
		o.post(teamPage+"/joining", url.Values{"csrf": {csrfOf(t, page)}, "visibility": {"hidden"}, "join": {"invite"}, "erasure": {"keep"}})
		if a, _ := e.st.GetListAccess(ctx, l.ID); a.Join != store.JoinInvite || a.Visibility != store.VisibilityHidden {
			t.Fatalf("access = %+v", a)
		}
		if _, home := newBrowser(t, e).get("/"); strings.Contains(home, "Team Talk") {
			t.Error("a hidden list is on the home page")
		}
		x := newBrowser(t, e)
		_, lp := x.get("/login")
		if code, _ := x.post(teamPage+"/subscribe", url.Values{"csrf": {csrfOf(t, lp)}, "address": {"x@example.org"}}); code != http.StatusForbidden {
			t.Errorf("joining an invitation-only list: %d, want 403", code)
		}
		code, page := o.post(teamPage+"/invite", url.Values{"csrf": {csrfOf(t, page)}, "addresses": {"guest@example.org\nann@example.net"}})
		if code != 200 || !strings.Contains(page, "Invitations sent: 1") {
			t.Fatalf("invite: %d\n%s", code, page)
		}
		inv := e.waitMail(t, "guest@example.org", "Invitation to join Team Talk")
		o.post(teamPage+"/invite", url.Values{"csrf": {csrfOf(t, page)}, "addresses": {"guest@example.org"}})
		link := localPath(confirmRe.FindString(string(inv.Data)))
		if code, page := newBrowser(t, e).post(link, nil); code != 200 || !strings.Contains(page, "Welcome to Team Talk") {
			t.Fatalf("accept invitation: %d\n%s", code, page)
		}
		if m, err := e.st.GetMember(ctx, l.ID, "guest@example.org"); err != nil || m.Source != "invite" {
			t.Fatalf("invited member: %+v %v", m, err)
		}
		if n := len(e.mailsTo("guest@example.org", "Invitation")); n != 1 {
			t.Errorf("%d invitations for one address, want 1", n)
		}
		// Owner approval: confirmation first, then the shared held queue.
		e.st.SetListAccess(ctx, &store.ListAccess{ListID: l.ID, Visibility: store.VisibilityPublic, Join: store.JoinApproval, Erasure: store.ErasureKeep}, "test")
		subscribeForm(t, newBrowser(t, e), "asker@example.org")
		c := e.waitMail(t, "asker@example.org", "Confirm")
		if code, page := newBrowser(t, e).post(localPath(confirmRe.FindString(string(c.Data))), nil); code != 200 || !strings.Contains(page, "waiting for approval") {
			t.Fatalf("confirm on an approval list: %d\n%s", code, page)
		}
		if _, err := e.st.GetMember(ctx, l.ID, "asker@example.org"); err == nil {
			t.Fatal("joined without the owners' approval")
		}
		held, _ := e.st.ListHeld(ctx, l.ID)
		if len(held) != 1 || held[0].Kind != "subscription" || held[0].From != "asker@example.org" {
			t.Fatalf("held queue = %+v", held)
		}
		if _, err := e.st.ResolveHeld(ctx, held[0].ID, store.Approve, "owner@example.net", ""); err != nil {
			t.Fatal(err)
		}
		e.waitMail(t, "asker@example.org", "Welcome to Team Talk")
		cs, _ := e.st.ListConsent(ctx, "asker@example.org")
		if last := cs[len(cs)-1]; last.Action != "approved" || last.Origin != "owner@example.net" {
			t.Errorf("evidence of approval = %+v", cs)
		}
		time.Sleep(6 * time.Second) // another round of the job: no second welcome
		if n := len(e.mailsTo("asker@example.org", "Welcome")); n != 1 {
			t.Errorf("%d welcomes after one approval", n)
		}
	})
}
