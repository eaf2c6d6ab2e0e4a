package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// subscriptionTests are the conformance tests of store.Subscriptions.
var subscriptionTests = []storeTest{
	{"SubPeople", testSubPeople},
	{"SubDirectory", testSubDirectory},
	{"SubListAccessSummaries", testSubListAccessSummaries},
	{"SubJoinLeave", testSubJoinLeave},
	{"SubDelivery", testSubDelivery},
	{"SubTokens", testSubTokens},
	{"SubTokenBurst", testSubTokenBurst},
	{"SubThrottle", testSubThrottle},
	{"SubErase", testSubErase},
	{"SubChangeAddress", testSubChangeAddress},
	{"SubApproved", testSubApproved},
}

func subList(t *testing.T, s store.Store, addr string, members ...store.NewMember) *store.List {
	t.Helper()
	ctx := context.Background()
	l := &store.List{Address: addr}
	must(t, s.CreateList(ctx, l), "CreateList")
	if len(members) > 0 {
		_, _, err := s.AddMembers(ctx, l.ID, members)
		must(t, err, "AddMembers")
	}
	return l
}

func testSubPeople(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := subList(t, s, "people@example.org", store.NewMember{Address: "Ann@Example.net"})
	if _, err := s.GetPerson(ctx, "ann@example.net"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetPerson before save: %v, want ErrNotFound", err)
	}
	p := &store.Person{Address: "Ann@Example.net", Name: "Ann A", OrgName: "Vote Club", OrgRegion: "wales",
		OrgFocus: "education", InDirectory: true, Format: store.FormatPlain, Newsletter: true, Sections: []string{"events", "asks"}}
	must(t, s.SavePerson(ctx, p), "SavePerson")
	got, err := s.GetPerson(ctx, "ANN@example.net")
	must(t, err, "GetPerson")
	if got.Name != "Ann A" || got.OrgName != "Vote Club" || !got.InDirectory || got.Format != store.FormatPlain ||
		!got.Newsletter || len(got.Sections) != 2 || got.Sections[1] != "asks" || got.ID == 0 {
		t.Fatalf("person = %+v", got)
	}
	if m, _ := s.GetMember(ctx, l.ID, "ann@example.net"); m == nil || m.Name != "Ann A" {
		t.Errorf("display name not copied to the membership: %+v", m)
	}
	got.Newsletter, got.Sections = false, nil
	must(t, s.SavePerson(ctx, got), "SavePerson again")
	again, _ := s.GetPerson(ctx, "ann@example.net")
	if again.Newsletter || len(again.Sections) != 0 || again.ID != got.ID {
		t.Errorf("update did not replace: %+v", again)
	}
}

func testSubDirectory(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, p := range []*store.Person{
		{Address: "a@x.org", OrgName: "beta Trust", OrgRegion: "wales", OrgFocus: "research", InDirectory: true},
		{Address: "b@x.org", OrgName: "Alpha", OrgRegion: "scotland", OrgFocus: "research", InDirectory: true},
		{Address: "c@x.org", OrgName: "Gamma", OrgRegion: "wales", OrgFocus: "education", InDirectory: true},
		{Address: "d@x.org", OrgName: "Hidden", OrgRegion: "wales", OrgFocus: "research"},
		{Address: "e@x.org", InDirectory: true}, // opted in, but no organisation to show
	} {
		must(t, s.SavePerson(ctx, p), "SavePerson")
	}
	all, err := s.Directory(ctx, store.DirectoryFilter{}, nil, 10)
	must(t, err, "Directory")
	if names := orgNames(all); names != "Alpha,beta Trust,Gamma" {
		t.Errorf("directory = %s", names)
	}
	wales, _ := s.Directory(ctx, store.DirectoryFilter{Region: "wales"}, nil, 10)
	if names := orgNames(wales); names != "beta Trust,Gamma" {
		t.Errorf("wales = %s", names)
	}
	both, _ := s.Directory(ctx, store.DirectoryFilter{Region: "wales", Focus: "research"}, nil, 10)
	if names := orgNames(both); names != "beta Trust" {
		t.Errorf("wales+research = %s", names)
	}
	first, _ := s.Directory(ctx, store.DirectoryFilter{}, nil, 2)
	rest, _ := s.Directory(ctx, store.DirectoryFilter{}, first[len(first)-1], 2)
	if orgNames(first)+"|"+orgNames(rest) != "Alpha,beta Trust|Gamma" {
		t.Errorf("pages = %s | %s", orgNames(first), orgNames(rest))
	}
}

func orgNames(ps []*store.Person) string {
	out := ""
	for i, p := range ps {
		if i > 0 {
			out += ","
		}
		out += p.OrgName
	}
	return out
}

func testSubListAccessSummaries(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := subList(t, s, "a@example.org", store.NewMember{Address: "1@x.org"}, store.NewMember{Address: "2@x.org"})
	b := subList(t, s, "b@example.org")
	acc, err := s.GetListAccess(ctx, b.ID)
	must(t, err, "GetListAccess")
	if *acc != *store.DefaultListAccess(b.ID) {
		t.Errorf("default access = %+v", acc)
	}
	must(t, s.SetListAccess(ctx, &store.ListAccess{ListID: b.ID, Visibility: store.VisibilityHidden,
		Join: store.JoinInvite, Erasure: store.ErasureKeep}, "owner@x.org"), "SetListAccess")
	if as, err := s.ListAudit(ctx, b.ID, 0, 10); err != nil || len(as) != 1 || as[0].Actor != "owner@x.org" || as[0].Action != "joining" {
		t.Errorf("audit after SetListAccess: %+v, %v; want one 'joining' row by the owner", as, err)
	}
	acc, _ = s.GetListAccess(ctx, b.ID)
	if acc.Visibility != store.VisibilityHidden || acc.Join != store.JoinInvite || acc.Erasure != store.ErasureKeep {
		t.Errorf("saved access = %+v", acc)
	}
	msg := &store.Message{ListID: a.ID, FromAddr: "1@x.org", Subject: "s", Raw: []byte("Subject: s\r\n\r\nb\r\n"), State: store.StateAccepted}
	must(t, s.SaveIntake(ctx, []*store.Intake{{Message: msg}}), "SaveIntake")
	sums, err := s.ListSummaries(ctx, 0, time.Now().Add(-time.Hour))
	must(t, err, "ListSummaries")
	if len(sums) != 2 || sums[0].List.ID != a.ID || sums[0].Members != 2 || sums[0].RecentPosts != 1 ||
		sums[0].LastPost.IsZero() || sums[1].Access.Join != store.JoinInvite || sums[1].Members != 0 {
		t.Fatalf("summaries = %+v / %+v", sums[0], sums[len(sums)-1])
	}
	later, _ := s.ListSummaries(ctx, a.ID, time.Now().Add(time.Hour))
	if len(later) != 1 || later[0].List.ID != a.ID || later[0].Members != 2 || later[0].RecentPosts != 0 {
		t.Errorf("one list's summary, later window: %+v", later)
	}
}

func testSubJoinLeave(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := subList(t, s, "join@example.org")
	c := &store.Consent{Address: "New@x.org", Action: "confirmed", How: "web", Origin: "192.0.2.1"}
	m, err := s.JoinList(ctx, l.ID, store.NewMember{Address: "New@x.org", Source: "web"}, c)
	must(t, err, "JoinList")
	if m.ID == 0 || m.Source != "web" || m.Address != "New@x.org" || c.ListAddress != l.Address {
		t.Fatalf("member %+v consent %+v", m, c)
	}
	again, err := s.JoinList(ctx, l.ID, store.NewMember{Address: "new@x.org"}, &store.Consent{Address: "new@x.org", Action: "x", How: "web"})
	if !errors.Is(err, store.ErrExists) || again == nil || again.ID != m.ID {
		t.Fatalf("second join: %+v %v, want ErrExists and the member", again, err)
	}
	gone, err := s.LeaveList(ctx, m.ID, &store.Consent{Action: "left", How: "one-click"})
	must(t, err, "LeaveList")
	if gone.Address != "New@x.org" {
		t.Errorf("left member = %+v", gone)
	}
	if _, err := s.LeaveList(ctx, m.ID, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("leaving twice: %v, want ErrNotFound", err)
	}
	cs, err := s.ListConsent(ctx, "NEW@x.org")
	must(t, err, "ListConsent")
	if len(cs) != 2 || cs[0].Action != "confirmed" || cs[0].Origin != "192.0.2.1" || cs[1].Action != "left" ||
		cs[1].ListID != l.ID || cs[1].ListAddress != l.Address {
		t.Fatalf("consent = %+v", cs)
	}
}

func testSubDelivery(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := subList(t, s, "mode@example.org", store.NewMember{Address: "m@x.org"})
	m, _ := s.GetMember(ctx, l.ID, "m@x.org")
	p, err := s.GetMemberPrefs(ctx, m.ID)
	must(t, err, "GetMemberPrefs")
	if *p != *store.DefaultMemberPrefs(m.ID) {
		t.Errorf("default prefs = %+v", p)
	}
	p.Digest, p.OwnPosts = store.DigestWeekly, false
	must(t, s.SetDelivery(ctx, m.ID, store.ModeDigest, p), "SetDelivery")
	m, _ = s.GetMember(ctx, l.ID, "m@x.org")
	p, _ = s.GetMemberPrefs(ctx, m.ID)
	if m.Mode != store.ModeDigest || p.Digest != store.DigestWeekly || p.OwnPosts {
		t.Fatalf("after SetDelivery: mode %s prefs %+v", m.Mode, p)
	}
	until := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	p.NoMailUntil, p.ResumeMode = until, store.ModeDigest
	must(t, s.SetDelivery(ctx, m.ID, store.ModeNoMail, p), "SetDelivery nomail")
	if n, _ := s.ResumeNoMail(ctx, time.Now()); n != 0 {
		t.Errorf("resumed %d before the date", n)
	}
	if n, _ := s.ResumeNoMail(ctx, until.Add(time.Second)); n != 1 {
		t.Errorf("resumed %d after the date, want 1", n)
	}
	m, _ = s.GetMember(ctx, l.ID, "m@x.org")
	p, _ = s.GetMemberPrefs(ctx, m.ID)
	if m.Mode != store.ModeDigest || !p.NoMailUntil.IsZero() {
		t.Errorf("after the holiday: mode %s until %v", m.Mode, p.NoMailUntil)
	}
	if err := s.SetDelivery(ctx, 1<<40, store.ModeEach, p); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetDelivery of no member: %v", err)
	}
}

func testSubTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	lim := store.TokenLimits{PerList: 1, ListWindow: time.Hour, PerAddress: 2, AddressWindow: 24 * time.Hour}
	tok := &store.SubToken{Hash: "h1", Kind: store.TokenJoin, Address: "T@x.org", ListID: 7, Data: `{"a":1}`, Expires: now.Add(time.Hour)}
	must(t, s.CreateSubToken(ctx, tok, lim), "CreateSubToken")
	dup := &store.SubToken{Hash: "h2", Kind: store.TokenJoin, Address: "t@X.org", ListID: 7, Expires: now.Add(time.Hour)}
	wantErr(t, s.CreateSubToken(ctx, dup, lim), store.ErrThrottled, "second token for one list")
	other := &store.SubToken{Hash: "h3", Kind: store.TokenJoin, Address: "t@x.org", ListID: 8, Expires: now.Add(time.Hour)}
	must(t, s.CreateSubToken(ctx, other, lim), "token for another list")
	third := &store.SubToken{Hash: "h4", Kind: store.TokenJoin, Address: "t@x.org", ListID: 9, Expires: now.Add(time.Hour)}
	wantErr(t, s.CreateSubToken(ctx, third, lim), store.ErrThrottled, "third token for one address")

	got, err := s.GetSubToken(ctx, "h1")
	must(t, err, "GetSubToken")
	if got.Data != `{"a":1}` || got.ListID != 7 || !got.Used.IsZero() {
		t.Errorf("token = %+v", got)
	}
	used, err := s.ConsumeSubToken(ctx, "h1", now)
	must(t, err, "ConsumeSubToken")
	if used.Used.IsZero() {
		t.Error("consumed token not marked used")
	}
	if _, err := s.ConsumeSubToken(ctx, "h1", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("reuse: %v, want ErrNotFound", err)
	}
	if _, err := s.ConsumeSubToken(ctx, "h3", now.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired: %v, want ErrNotFound", err)
	}
	if still, err := s.GetSubToken(ctx, "h1"); err != nil || still.Used.IsZero() {
		t.Errorf("a used token must still be found (for the friendly page): %+v %v", still, err)
	}
	n, err := s.PruneSubscriptions(ctx, now.Add(3*time.Hour))
	must(t, err, "PruneSubscriptions")
	if _, err := s.GetSubToken(ctx, "h3"); !errors.Is(err, store.ErrNotFound) || n < 2 {
		t.Errorf("prune removed %d, h3 still there: %v", n, err)
	}
}

// testSubTokenBurst: many concurrent requests for one address and list
// produce exactly one token (the form cannot mail-bomb a stranger).
func testSubTokenBurst(t *testing.T, s store.Store) {
	ctx := context.Background()
	lim := store.TokenLimits{PerList: 1, ListWindow: time.Hour}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 8 {
		wg.Go(func() {
			err := s.CreateSubToken(ctx, &store.SubToken{Hash: string(rune('a' + i)), Kind: store.TokenJoin,
				Address: "victim@x.org", ListID: 1, Expires: time.Now().Add(time.Hour)}, lim)
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if !errors.Is(err, store.ErrThrottled) {
				t.Errorf("CreateSubToken: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 1 {
		t.Errorf("%d tokens created by a concurrent burst, want 1", ok)
	}
}

func testSubThrottle(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	for i := range 3 {
		if ok, err := s.Throttle(ctx, "ip:192.0.2.1", 3, time.Hour, now); err != nil || !ok {
			t.Fatalf("hit %d refused: %v", i, err)
		}
	}
	if ok, _ := s.Throttle(ctx, "ip:192.0.2.1", 3, time.Hour, now); ok {
		t.Error("fourth hit within the window allowed")
	}
	if ok, _ := s.Throttle(ctx, "ip:192.0.2.2", 3, time.Hour, now); !ok {
		t.Error("another key was throttled")
	}
	if ok, _ := s.Throttle(ctx, "ip:192.0.2.1", 3, time.Hour, now.Add(2*time.Hour)); !ok {
		t.Error("still throttled after the window")
	}
}

func testSubErase(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := subList(t, s, "ea@example.org", store.NewMember{Address: "Gone@x.org"}, store.NewMember{Address: "stay@x.org"})
	b := subList(t, s, "eb@example.org", store.NewMember{Address: "gone@x.org"})
	must(t, s.SavePerson(ctx, &store.Person{Address: "gone@x.org", OrgName: "Org", InDirectory: true}), "SavePerson")
	must(t, s.AddConsent(ctx, &store.Consent{Address: "gone@x.org", ListID: a.ID, Action: "confirmed", How: "web"}), "AddConsent")
	must(t, s.CreateSession(ctx, "sess", "gone@x.org", time.Now().Add(time.Hour)), "CreateSession")
	msg := &store.Message{ListID: a.ID, FromAddr: "gone@x.org", FromName: "Gone", Subject: "hi", Raw: []byte("From: Gone <gone@x.org>\r\n\r\nb\r\n"), State: store.StateAccepted}
	must(t, s.SaveIntake(ctx, []*store.Intake{{Message: msg}}), "SaveIntake")
	posts, err := s.PostsBy(ctx, "GONE@x.org", 0, 10)
	must(t, err, "PostsBy")
	if len(posts) != 1 || posts[0].Subject != "hi" || posts[0].ListID != a.ID {
		t.Fatalf("posts = %+v", posts)
	}
	must(t, s.AnonymisePost(ctx, msg.ID, []byte("From: former member <former-member@invalid>\r\n\r\nb\r\n"), "former member"), "AnonymisePost")
	n, err := s.EraseAddress(ctx, "gone@X.org")
	must(t, err, "EraseAddress")
	if n != 2 {
		t.Errorf("erased from %d lists, want 2", n)
	}
	if _, err := s.GetMember(ctx, b.ID, "gone@x.org"); !errors.Is(err, store.ErrNotFound) {
		t.Error("still a member after erasure")
	}
	if _, err := s.GetMember(ctx, a.ID, "stay@x.org"); err != nil {
		t.Error("erasure removed someone else")
	}
	if _, err := s.GetPerson(ctx, "gone@x.org"); !errors.Is(err, store.ErrNotFound) {
		t.Error("profile kept after erasure")
	}
	if cs, _ := s.ListConsent(ctx, "gone@x.org"); len(cs) != 0 {
		t.Errorf("%d consent rows kept", len(cs))
	}
	if _, err := s.GetSession(ctx, "sess", time.Now()); err == nil {
		t.Error("session survived erasure")
	}
	if p, _ := s.PostsBy(ctx, "gone@x.org", 0, 10); len(p) != 0 {
		t.Error("anonymised post still found by address")
	}
	if m, _ := s.GetMessage(ctx, msg.ID); m == nil || m.FromName != "former member" || string(m.Raw[:11]) != "From: forme" {
		t.Errorf("archived post after erasure: %+v", m)
	}
}

func testSubChangeAddress(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := subList(t, s, "ca@example.org", store.NewMember{Address: "old@x.org", Role: store.RoleOwner})
	b := subList(t, s, "cb@example.org", store.NewMember{Address: "old@x.org"}, store.NewMember{Address: "new@x.org", Mode: store.ModeDigest})
	must(t, s.SavePerson(ctx, &store.Person{Address: "old@x.org", Name: "Old"}), "SavePerson")
	must(t, s.CreateSession(ctx, "s1", "old@x.org", time.Now().Add(time.Hour)), "CreateSession")
	msg := &store.Message{ListID: a.ID, FromAddr: "old@x.org", Raw: []byte("From: old@x.org\r\n\r\nb\r\n"), State: store.StateAccepted}
	must(t, s.SaveIntake(ctx, []*store.Intake{{Message: msg}}), "SaveIntake")
	must(t, s.ChangeAddress(ctx, "OLD@x.org", "New@X.org"), "ChangeAddress")
	if ps, _ := s.PostsBy(ctx, "new@x.org", 0, 10); len(ps) != 1 {
		t.Errorf("posts of the new address = %d, want the old address's one", len(ps))
	}
	if m, err := s.GetMember(ctx, a.ID, "new@x.org"); err != nil || m.Role != store.RoleOwner || m.Address != "New@X.org" {
		t.Errorf("moved membership = %+v %v", m, err)
	}
	if m, err := s.GetMember(ctx, b.ID, "new@x.org"); err != nil || m.Mode != store.ModeDigest {
		t.Errorf("the new address's own membership was not kept: %+v %v", m, err)
	}
	if ms, _ := s.Memberships(ctx, "old@x.org"); len(ms) != 0 {
		t.Errorf("old address still on %d lists", len(ms))
	}
	if p, err := s.GetPerson(ctx, "new@x.org"); err != nil || p.Name != "Old" {
		t.Errorf("profile not moved: %+v %v", p, err)
	}
	if addr, err := s.GetSession(ctx, "s1", time.Now()); err != nil || addr != "new@x.org" {
		t.Errorf("session = %q %v", addr, err)
	}
}

func testSubApproved(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := subList(t, s, "ap@example.org")
	since := time.Now().Add(-time.Minute)
	h, err := s.HoldSubscription(ctx, l.ID, store.NewMember{Address: "Ask@x.org"}, "approval")
	must(t, err, "HoldSubscription")
	if hs, _ := s.ApprovedSubscriptions(ctx, since); len(hs) != 0 {
		t.Fatal("a pending request counted as approved")
	}
	_, err = s.ResolveHeld(ctx, h.ID, store.Approve, "owner@x.org", "")
	must(t, err, "ResolveHeld")
	hs, err := s.ApprovedSubscriptions(ctx, since)
	must(t, err, "ApprovedSubscriptions")
	if len(hs) != 1 || hs[0].ID != h.ID || hs[0].HandledBy != "owner@x.org" {
		t.Fatalf("approved = %+v", hs)
	}
	must(t, s.AddConsent(ctx, &store.Consent{Address: "ask@x.org", ListID: l.ID, Action: "approved", How: "owner"}), "AddConsent")
	if hs, _ := s.ApprovedSubscriptions(ctx, since); len(hs) != 0 {
		t.Error("a welcomed approval is still returned")
	}
}
