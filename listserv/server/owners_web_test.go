package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ownersWorld is a list with an owner, a moderator and a member, and
// another list owned by someone else.
func ownersWorld(t *testing.T, e *env) (*store.List, *store.List) {
	t.Helper()
	l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
	other := e.list(t, &store.List{Address: "other@lists.example.org", Name: "Other"},
		store.NewMember{Address: "boss@example.org", Role: store.RoleOwner})
	if _, _, err := e.st.AddMembers(context.Background(), l.ID, []store.NewMember{{Address: "mod@example.net", Role: store.RoleModerator}}); err != nil {
		t.Fatal(err)
	}
	return l, other
}

// TestOwnersPagesAuthorisation: members, moderators and other lists'
// owners cannot change a list's settings or members; each refused write
// changes nothing; a moderator sees the members read-only.
func TestOwnersPagesAuthorisation(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l, _ := ownersWorld(t, e)
		ctx := context.Background()
		ann, _ := e.st.GetMember(ctx, l.ID, "ann@example.net")
		settings, members := "/lists/team.lists.example.org/settings", "/lists/team.lists.example.org/members"
		annPage := "/lists/team.lists.example.org/members/" + strconv.FormatInt(ann.ID, 10)

		// Anonymous: sent to sign in.
		anon := newBrowser(t, e)
		if code, page := anon.get(settings); code != 200 || !strings.Contains(page, "sign-in link") {
			t.Errorf("anonymous settings page: %d", code)
		}

		writes := []struct {
			path string
			form url.Values
		}{
			{settings, url.Values{"subject-prefix": {"[hacked]"}}},
			{members, url.Values{"addresses": {"evil@example.org"}, "how": {"add"}}},
			{annPage, url.Values{"action": {"change"}, "role": {"owner"}, "mode": {"each"}}},
			{annPage, url.Values{"action": {"remove"}}},
		}
		for _, who := range []string{"ann@example.net", "mod@example.net", "boss@example.org"} {
			b := newBrowser(t, e)
			me := signIn(t, e, b, who)
			if code, _ := b.get(settings); code != http.StatusForbidden {
				t.Errorf("%s got the settings page: %d", who, code)
			}
			code, page := b.get(members)
			if who == "mod@example.net" {
				if code != 200 || strings.Contains(page, "Add members") || !strings.Contains(page, "ann@example.net") {
					t.Errorf("moderator's members page: %d, add form or members wrong\n%s", code, page)
				}
				if code, page := b.get(annPage); code != 200 || strings.Contains(page, "Remove from the list") {
					t.Errorf("moderator's member page: %d\n%s", code, page)
				}
			} else if code != http.StatusForbidden {
				t.Errorf("%s got the members page: %d", who, code)
			}
			for _, w := range writes {
				w.form.Set("csrf", csrfOf(t, me))
				if code, _ := b.post(w.path, w.form); code != http.StatusForbidden {
					t.Errorf("%s POST %s: %d, want 403", who, w.path, code)
				}
			}
			if code, _ := b.get(members + ".csv"); code != http.StatusForbidden {
				t.Errorf("%s exported the members: %d", who, code)
			}
			if code, _ := b.get("/admin"); code != http.StatusForbidden {
				t.Errorf("%s got /admin: %d", who, code)
			}
		}
		// Positive control: the owner can, and a stale form token cannot.
		owner := newBrowser(t, e)
		signIn(t, e, owner, "owner@example.net")
		if code, _ := owner.post(settings, url.Values{"csrf": {"forged"}, "subject-prefix": {"[forged]"}}); code != http.StatusForbidden {
			t.Errorf("owner without a valid form token: %d", code)
		}
		_, page := owner.get(settings)
		if code, page := owner.post(settings, url.Values{"csrf": {csrfOf(t, page)}, "subject-prefix": {"[ok]"}}); code != 200 || !strings.Contains(page, "Saved.") {
			t.Fatalf("owner saving settings: %d\n%s", code, page)
		}
		got, err := e.st.GetListByID(ctx, l.ID)
		if err != nil || got.SubjectPrefix != "[ok]" {
			t.Fatalf("after the owner's save: %+v %v", got, err)
		}
		if m, err := e.st.GetMember(ctx, l.ID, "ann@example.net"); err != nil || m.Role != store.RoleMember {
			t.Errorf("ann after refused writes: %+v %v", m, err)
		}
		if _, err := e.st.GetMember(ctx, l.ID, "evil@example.org"); err == nil {
			t.Error("a refused add added evil@example.org")
		}
		// Another list's member id under this list is not found.
		bossID, _ := e.st.GetMember(ctx, mustList(t, e, "other@lists.example.org").ID, "boss@example.org")
		if code, _ := owner.get(members + "/" + strconv.FormatInt(bossID.ID, 10)); code != http.StatusNotFound {
			t.Errorf("another list's member under team: %d, want 404", code)
		}
	})
}

func mustList(t *testing.T, e *env, addr string) *store.List {
	t.Helper()
	l, err := e.st.GetList(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestOwnersMembersFlow: an owner adds members, finds one by name,
// changes, re-enables and removes them, and downloads the CSV; the counts
// follow, and every change is in the audit log.
func TestOwnersMembersFlow(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l, _ := ownersWorld(t, e)
		ctx := context.Background()
		b := newBrowser(t, e)
		signIn(t, e, b, "owner@example.net")
		members := "/lists/team.lists.example.org/members"
		_, page := b.get(members)
		code, page := b.post(members, url.Values{"csrf": {csrfOf(t, page)}, "how": {"add"}, "role": {"member"}, "mode": {"nomail"},
			"addresses": {"Zoe Zed <zoe@example.org>\nyan@example.org, Xavier <xav@example.org>\nann@example.net"}})
		if code != 200 || !strings.Contains(page, "Added 3; 1 were members already.") {
			t.Fatalf("add: %d\n%s", code, page)
		}
		if !strings.Contains(page, "<th scope=\"row\">No mail</th><td>4</td>") {
			t.Errorf("counts do not show 4 no-mail members:\n%s", page)
		}
		// Bad input: nothing added, a 422 page saying which line.
		code, page = b.post(members, url.Values{"csrf": {csrfOf(t, page)}, "how": {"add"}, "addresses": {"good@example.org\nnot an address"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, "Line 2") {
			t.Errorf("bad address: %d\n%s", code, page)
		}
		if _, err := e.st.GetMember(ctx, l.ID, "good@example.org"); err == nil {
			t.Error("a form with a bad line added its good address")
		}
		// Search by name finds Zoe (address zoe@ matches "zo" too, once).
		_, page = b.get(members + "?q=xav")
		if !strings.Contains(page, "xav@example.org") || strings.Contains(page, "zoe@example.org") {
			t.Errorf("search xav:\n%s", page)
		}
		_, page = b.get(members + "?q=Zoe+Z")
		if !strings.Contains(page, "zoe@example.org") {
			t.Errorf("search by name Zoe Z finds no zoe:\n%s", page)
		}
		zoe, _ := e.st.GetMember(ctx, l.ID, "zoe@example.org")
		zoePage := members + "/" + strconv.FormatInt(zoe.ID, 10)
		_, page = b.get(zoePage)
		code, page = b.post(zoePage, url.Values{"csrf": {csrfOf(t, page)}, "action": {"change"}, "role": {"moderator"}, "mode": {"digest"}, "name": {"Zoë Zed"}})
		if code != 200 || !strings.Contains(page, "Saved.") {
			t.Fatalf("change: %d\n%s", code, page)
		}
		if m, _ := e.st.GetMember(ctx, l.ID, "zoe@example.org"); m.Role != store.RoleModerator || m.Mode != store.ModeDigest || m.Name != "Zoë Zed" {
			t.Errorf("after change: %+v", m)
		}
		if _, err := e.st.RecordBounce(ctx, store.BounceEvent{MemberID: zoe.ID, Permanent: true, At: time.Now(), Window: time.Hour, Threshold: 1}); err != nil {
			t.Fatal(err)
		}
		_, page = b.get(zoePage)
		if !strings.Contains(page, "Turn delivery back on") {
			t.Fatalf("no re-enable button for a bounce-disabled member:\n%s", page)
		}
		code, page = b.post(zoePage, url.Values{"csrf": {csrfOf(t, page)}, "action": {"enable"}})
		if m, _ := e.st.GetMember(ctx, l.ID, "zoe@example.org"); code != 200 || m.Status != store.StatusEnabled {
			t.Errorf("re-enable: %d %+v", code, m)
		}
		code, page = b.post(zoePage, url.Values{"csrf": {csrfOf(t, page)}, "action": {"remove"}})
		if code != 200 || !strings.Contains(page, "The member was removed") {
			t.Errorf("remove: %d\n%s", code, page)
		}
		if _, err := e.st.GetMember(ctx, l.ID, "zoe@example.org"); err == nil {
			t.Error("zoe still a member")
		}
		if code, csv := b.get(members + ".csv"); code != 200 || !strings.HasPrefix(csv, "address,name,mode") || !strings.Contains(csv, "xav@example.org,Xavier,nomail") {
			t.Errorf("CSV: %d\n%s", code, csv)
		}
		_, page = b.get("/lists/team.lists.example.org/audit")
		for _, want := range []string{"added zoe@example.org, yan@example.org, xav@example.org and 1 more (3 added, 1 already members)",
			"changed zoe@example.org: role &#34;member&#34; to &#34;moderator&#34;", "turned delivery back on for zoe@example.org",
			"removed zoe@example.org from team@lists.example.org"} {
			if !strings.Contains(page, want) {
				t.Errorf("audit lacks %q:\n%s", want, page)
			}
		}
	})
}
