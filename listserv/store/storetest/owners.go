package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ownersTests cover what the owners' pages and site administrators change.
var ownersTests = []storeTest{
	{"SaveListSettings", testSaveListSettings},
	{"SearchMembers", testSearchMembers},
	{"MemberAuditedChanges", testMemberAuditedChanges},
	{"SiteAdmins", testSiteAdmins},
}

// lastAudit is a list's newest audit entry (listID 0: site-wide).
func lastAudit(t *testing.T, s store.Store, listID int64) *store.Audit {
	t.Helper()
	as, err := s.ListAudit(t.Context(), listID, 0, 1)
	must(t, err, "ListAudit")
	if len(as) == 0 {
		t.Fatal("no audit entry")
	}
	return as[0]
}

func testSaveListSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "team@x.org")
	l.SubjectPrefix, l.Footer, l.Policy = "[t]", "Be kind.\nteam@x.org", store.PolicyModerated
	d := &store.ListDigest{ListID: l.ID, Hour: 18, Weekday: time.Friday, MaxPosts: 20, MaxBytes: 50000}
	must(t, s.SaveListSettings(ctx, l, d, &store.Audit{Actor: "o@x.org", Action: "list settings", ListID: l.ID, Detail: "changed"}), "SaveListSettings")
	got, err := s.GetListByID(ctx, l.ID)
	must(t, err, "GetListByID")
	if got.SubjectPrefix != "[t]" || got.Footer != "Be kind.\nteam@x.org" || got.Policy != store.PolicyModerated {
		t.Errorf("list after save: %+v", got)
	}
	gd, err := s.GetListDigest(ctx, l.ID)
	must(t, err, "GetListDigest")
	if gd.Hour != 18 || gd.Weekday != time.Friday || gd.MaxPosts != 20 || gd.MaxBytes != 50000 {
		t.Errorf("digest after save: %+v", gd)
	}
	if a := lastAudit(t, s, l.ID); a.Actor != "o@x.org" || a.Detail != "changed" {
		t.Errorf("audit: %+v", a)
	}
	// A removed list is not saved.
	must(t, s.RemoveList(ctx, l.ID, false, &store.Audit{Actor: "op", Action: "remove list"}), "RemoveList")
	wantErr(t, s.SaveListSettings(ctx, l, nil, &store.Audit{Actor: "o@x.org", ListID: l.ID}), store.ErrNotFound, "save removed list")
}

func testSearchMembers(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "team@x.org")
	other := mustList(t, s, "other@x.org")
	addMembers(t, s, other.ID, []store.NewMember{{Address: "ann@other.org", Name: "Ann"}})
	addMembers(t, s, l.ID, []store.NewMember{
		{Address: "ann@x.org", Name: "Ann Example"}, {Address: "bob@x.org", Name: "Annabel Bob"},
		{Address: "carl@x.org", Name: "carl"}, {Address: "anna@y.org", Name: "Zed", Mode: store.ModeDigest},
		{Address: "dan@x.org", Name: "ANNIE", Mode: store.ModeNoMail},
	})
	addrs := func(ms []*store.Member) string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Address)
		}
		return strings.Join(out, ",")
	}
	// Everyone, by address, two a page.
	var pages []string
	q := store.MemberQuery{Limit: 2}
	for {
		ms, err := s.SearchMembers(ctx, l.ID, q)
		must(t, err, "SearchMembers")
		if len(ms) == 0 {
			break
		}
		pages = append(pages, addrs(ms))
		q.AfterKey = store.NormalizeAddress(ms[len(ms)-1].Address)
	}
	if got := strings.Join(pages, "|"); got != "ann@x.org,anna@y.org|bob@x.org,carl@x.org|dan@x.org" {
		t.Errorf("pages: %s", got)
	}
	// "ann": addresses first, then names (not repeating address matches).
	ms, err := s.SearchMembers(ctx, l.ID, store.MemberQuery{Prefix: "ann", Limit: 10})
	must(t, err, "search address")
	if got := addrs(ms); got != "ann@x.org,anna@y.org" {
		t.Errorf("address matches: %s", got)
	}
	ms, err = s.SearchMembers(ctx, l.ID, store.MemberQuery{Prefix: "ann", ByName: true, Limit: 1})
	must(t, err, "search name")
	if got := addrs(ms); got != "bob@x.org" {
		t.Errorf("first name match: %s", got)
	}
	ms, err = s.SearchMembers(ctx, l.ID, store.MemberQuery{Prefix: "ann", ByName: true, Limit: 5,
		AfterKey: "annabel bob", AfterID: ms[0].ID})
	must(t, err, "search name page 2")
	if got := addrs(ms); got != "dan@x.org" {
		t.Errorf("second name page: %s", got)
	}
	cs, err := s.CountMemberModes(ctx, l.ID)
	must(t, err, "CountMemberModes")
	var got []string
	for _, c := range cs {
		got = append(got, c.Mode+"/"+c.Status+"="+string(rune('0'+c.N)))
	}
	if strings.Join(got, " ") != "digest/enabled=1 each/enabled=3 nomail/enabled=1" {
		t.Errorf("counts: %v", got)
	}
}

func testMemberAuditedChanges(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "team@x.org")
	added, skipped, err := s.AddMembersAudited(ctx, l.ID, []store.NewMember{{Address: "a@x.org"}, {Address: "b@x.org"}},
		&store.Audit{Actor: "o@x.org", Action: "add members", ListID: l.ID, Detail: "o@x.org added a@x.org, b@x.org"})
	must(t, err, "AddMembersAudited")
	if added != 2 || skipped != 0 {
		t.Errorf("added %d skipped %d", added, skipped)
	}
	if a := lastAudit(t, s, l.ID); !strings.Contains(a.Detail, "(2 added, 0 already members)") {
		t.Errorf("audit detail %q", a.Detail)
	}
	m, err := s.GetMember(ctx, l.ID, "a@x.org")
	must(t, err, "GetMember")
	out, err := s.RecordBounce(ctx, store.BounceEvent{MemberID: m.ID, Permanent: true, At: time.Now(), Window: time.Hour, Threshold: 1})
	must(t, err, "RecordBounce")
	if !out.Disabled {
		t.Fatal("control: the bounce did not disable the member")
	}
	en, err := s.EnableMemberAudited(ctx, m.ID, &store.Audit{Actor: "o@x.org", Action: "re-enable", ListID: l.ID, Target: m.Address})
	must(t, err, "EnableMemberAudited")
	if en.Status != store.StatusEnabled || en.BounceScore != 0 {
		t.Errorf("after enable: %+v", en)
	}
	gone, err := s.RemoveMemberAudited(ctx, m.ID, &store.Consent{Action: "left", How: "owner", Origin: "o@x.org", At: time.Now()},
		&store.Audit{Actor: "o@x.org", Action: "remove member", ListID: l.ID, Target: m.Address})
	must(t, err, "RemoveMemberAudited")
	if gone.Address != "a@x.org" {
		t.Errorf("removed %+v", gone)
	}
	if a := lastAudit(t, s, l.ID); a.Action != "remove member" {
		t.Errorf("last audit %+v", a)
	}
	_, err = s.GetMember(ctx, l.ID, "a@x.org")
	wantErr(t, err, store.ErrNotFound, "removed member")
	_, err = s.RemoveMemberAudited(ctx, m.ID, &store.Consent{Action: "left"}, &store.Audit{Actor: "o@x.org"})
	wantErr(t, err, store.ErrNotFound, "removing twice")
	_, err = s.EnableMemberAudited(ctx, m.ID, &store.Audit{Actor: "o@x.org"})
	wantErr(t, err, store.ErrNotFound, "enabling nobody")
}

func testSiteAdmins(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.AddSiteAdmin(ctx, "Root@X.org", &store.Audit{Actor: "cli:root", Action: "add admin", Target: "Root@X.org"}), "AddSiteAdmin")
	wantErr(t, s.AddSiteAdmin(ctx, "root@x.org", &store.Audit{Actor: "cli:root"}), store.ErrExists, "adding twice")
	a, err := s.GetSiteAdmin(ctx, "ROOT@x.org")
	must(t, err, "GetSiteAdmin")
	if a.Address != "Root@X.org" || a.AddedBy != "cli:root" {
		t.Errorf("admin %+v", a)
	}
	as, err := s.ListSiteAdmins(ctx)
	must(t, err, "ListSiteAdmins")
	if len(as) != 1 {
		t.Errorf("admins %d", len(as))
	}
	if lastAudit(t, s, 0).Action != "add admin" {
		t.Error("no site-wide audit for add admin")
	}
	site, err := s.GetSite(ctx)
	must(t, err, "GetSite")
	if *site != (store.Site{}) {
		t.Errorf("fresh site %+v", site)
	}
	must(t, s.SaveSite(ctx, &store.Site{Name: "Peers", Intro: "Hello", Contact: "help@x.org"}, &store.Audit{Actor: "root@x.org", Action: "site settings"}), "SaveSite")
	site, err = s.GetSite(ctx)
	must(t, err, "GetSite")
	if site.Name != "Peers" || site.Intro != "Hello" || site.Contact != "help@x.org" {
		t.Errorf("site %+v", site)
	}
	l := &store.List{Address: "new@x.org"}
	must(t, s.CreateListAudited(ctx, l, &store.Audit{Actor: "root@x.org", Action: "create list", Target: "new@x.org"}), "CreateListAudited")
	if lastAudit(t, s, 0).Action != "create list" || l.ID == 0 {
		t.Error("create list not audited site-wide")
	}
	wantErr(t, s.CreateListAudited(ctx, &store.List{Address: "new@x.org"}, &store.Audit{Actor: "root@x.org"}), store.ErrExists, "creating twice")
	must(t, s.RemoveSiteAdmin(ctx, "root@x.org", &store.Audit{Actor: "cli:root", Action: "remove admin"}), "RemoveSiteAdmin")
	wantErr(t, s.RemoveSiteAdmin(ctx, "root@x.org", &store.Audit{Actor: "cli:root"}), store.ErrNotFound, "removing twice")
	_, err = s.GetSiteAdmin(ctx, "root@x.org")
	wantErr(t, err, store.ErrNotFound, "removed admin")
}
