package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// moderationTests are the conformance tests of store.Moderation.
var moderationTests = []storeTest{
	{"ModerationSettings", testModerationSettings},
	{"SenderRules", testSenderRules},
	{"StaffAndApprovedPosts", testStaffAndApproved},
	{"ModerationQueue", testModerationQueue},
	{"HeldNoticeOnce", testHeldNoticeOnce},
	{"ModerationTokens", testModerationTokens},
	{"ExpiredAndPending", testExpiredAndPending},
	{"EnqueueOnce", testEnqueueOnce},
}

// auditActions returns the actions of a list's audit log, newest first.
func auditActions(t *testing.T, s store.Store, listID int64) []string {
	t.Helper()
	as, err := s.ListAudit(t.Context(), listID, 0, 100)
	must(t, err, "list audit")
	var out []string
	for _, a := range as {
		out = append(out, a.Action+" "+a.Target)
	}
	return out
}

func queuedMail(t *testing.T, s store.Store) int64 {
	t.Helper()
	q, err := s.Pending(t.Context())
	must(t, err, "pending")
	return q.Mail
}

func testModerationSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "settings@example.org")
	got, err := s.ModerationSettings(ctx, l.ID)
	must(t, err, "defaults")
	if *got != *store.DefaultModeration(l.ID) {
		t.Errorf("defaults = %+v", got)
	}
	since := time.UnixMilli(time.Now().UnixMilli())
	set := &store.ListModeration{ListID: l.ID, NewMemberPosts: 2, NewMemberSince: since, MaxRecipients: 3,
		AcceptTypes: "text/*,image/png", HoldDays: 7}
	must(t, s.SetModerationSettings(ctx, set, "owner@example.org"), "set")
	set.HoldDays = 0 // an update replaces the row
	must(t, s.SetModerationSettings(ctx, set, "owner@example.org"), "update")
	got, err = s.ModerationSettings(ctx, l.ID)
	must(t, err, "get")
	if got.NewMemberPosts != 2 || !got.NewMemberSince.Equal(since) || got.MaxRecipients != 3 ||
		got.AcceptTypes != "text/*,image/png" || got.HoldDays != 0 || got.Updated.IsZero() {
		t.Errorf("settings = %+v", got)
	}
	if a := auditActions(t, s, l.ID); len(a) != 2 || a[0] != "settings moderation" {
		t.Errorf("audit = %v, want two settings entries", a)
	}
}

func testSenderRules(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "rules@example.org")
	other := mustList(t, s, "other-rules@example.org")
	for _, r := range []*store.SenderRule{
		{ListID: l.ID, Pattern: "spam@bad.example", Action: store.RuleReject, By: "o@x"},
		{ListID: l.ID, Pattern: "*@bad.example", Action: store.RuleDiscard, By: "o@x"},
		{ListID: l.ID, Pattern: "friend@good.example", Action: store.RuleHold, By: "o@x"},
		{ListID: other.ID, Pattern: "friend@good.example", Action: store.RuleReject, By: "o@x"},
	} {
		must(t, s.SetSenderRule(ctx, r), "set rule "+r.Pattern)
	}
	// Setting a pattern again replaces its action.
	must(t, s.SetSenderRule(ctx, &store.SenderRule{ListID: l.ID, Pattern: "friend@good.example", Action: store.RuleAccept, By: "m@x"}), "replace")
	rs, err := s.SenderRules(ctx, l.ID)
	must(t, err, "rules")
	if len(rs) != 3 || rs[0].Pattern != "*@bad.example" || rs[1].Action != store.RuleAccept || rs[1].By != "m@x" {
		t.Fatalf("rules = %+v", rs)
	}
	m, err := s.MatchSenderRules(ctx, l.ID, []string{"spam@bad.example", "*@bad.example", "nobody@else.example"})
	must(t, err, "match")
	if len(m) != 2 {
		t.Errorf("matched %d rules, want 2", len(m))
	}
	if m, _ := s.MatchSenderRules(ctx, other.ID, []string{"spam@bad.example"}); len(m) != 0 {
		t.Errorf("another list's rules matched: %+v", m)
	}
	must(t, s.RemoveSenderRule(ctx, l.ID, "spam@bad.example", "o@x"), "remove")
	wantErr(t, s.RemoveSenderRule(ctx, l.ID, "spam@bad.example", "o@x"), store.ErrNotFound, "remove twice")
	a := auditActions(t, s, l.ID)
	if len(a) != 5 || a[0] != "sender-removed sender:spam@bad.example" || a[1] != "sender-accept sender:friend@good.example" {
		t.Errorf("audit = %v", a)
	}
}

func testStaffAndApproved(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "staff@example.org")
	addMembers(t, s, l.ID, []store.NewMember{{Address: "m@example.org"}, {Address: "Mod@Example.org", Role: store.RoleModerator},
		{Address: "own@example.org", Role: store.RoleOwner}})
	must(t, s.SetStaffNotify(ctx, l.ID, "MOD@example.org", store.NotifyDaily), "notify")
	staff, err := s.ListStaff(ctx, l.ID)
	must(t, err, "staff")
	if len(staff) != 2 || staff[0].Address != "Mod@Example.org" || staff[0].Notify != store.NotifyDaily ||
		staff[1].Notify != store.NotifyEach || staff[1].Role != store.RoleOwner {
		t.Fatalf("staff = %+v %+v", staff[0], staff[len(staff)-1])
	}
	if n, err := s.ApprovedPosts(ctx, l.ID, "m@example.org"); err != nil || n != 0 {
		t.Errorf("approved before any = %d, %v", n, err)
	}
	must(t, s.AddApprovedPost(ctx, l.ID, "m@example.org"), "add")
	must(t, s.AddApprovedPost(ctx, l.ID, "M@Example.ORG"), "add again")
	if n, _ := s.ApprovedPosts(ctx, l.ID, "m@example.org"); n != 2 {
		t.Errorf("approved = %d, want 2 (addresses compare case-insensitively)", n)
	}
}

func testModerationQueue(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mustList(t, s, "qa@example.org"), mustList(t, s, "qb@example.org")
	var ids []int64
	for i := range 5 {
		ids = append(ids, intake(t, s, a.ID, store.StateHeld, fmt.Sprintf("a%d", i)).HeldID)
	}
	intake(t, s, b.ID, store.StateHeld, "b0")
	rej := &store.Intake{Message: newMsg(a.ID, store.StateHeld, "banned")}
	rej.Message.Reason = store.ReasonRuleReject
	must(t, s.SaveIntake(ctx, []*store.Intake{rej}), "intake")
	_, err := s.ResolveHeld(ctx, ids[1], store.Discard, "mod", "")
	must(t, err, "resolve")
	must(t, s.DeferHeld(ctx, ids[2], "mod@example.org", "ask Bob"), "defer")
	wantErr(t, s.DeferHeld(ctx, ids[1], "mod@example.org", ""), store.ErrAlreadyHandled, "defer a handled item")
	page1, err := s.ListQueue(ctx, []int64{a.ID}, 0, 2)
	must(t, err, "page 1")
	page2, err := s.ListQueue(ctx, []int64{a.ID}, page1[len(page1)-1].ID, 2)
	must(t, err, "page 2")
	var got []int64
	for _, it := range append(page1, page2...) {
		got = append(got, it.ID)
	}
	if want := []int64{ids[0], ids[2], ids[3], ids[4]}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("queue ids = %v, want %v (pending, this list, no rule rejections, keyset order)", got, want)
	}
	if d := page1[1].Deferred; d == nil || d.Note != "ask Bob" || d.By != "mod@example.org" || page1[0].Deferred != nil {
		t.Errorf("defer note = %+v", d)
	}
	if n, err := s.HeldNote(ctx, ids[2]); err != nil || n.Note != "ask Bob" {
		t.Errorf("HeldNote = %+v, %v", n, err)
	}
	if n, err := s.HeldNote(ctx, ids[0]); n != nil || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("HeldNote of an item never deferred = %+v, %v; want nil, ErrNotFound", n, err)
	}
	both, _ := s.ListQueue(ctx, []int64{a.ID, b.ID}, 0, 100)
	if len(both) != 5 {
		t.Errorf("queue of both lists has %d items, want 5", len(both))
	}
	if none, err := s.ListQueue(ctx, nil, 0, 10); err != nil || len(none) != 0 {
		t.Errorf("queue of no lists = %d items, %v", len(none), err)
	}
	if acts := auditActions(t, s, a.ID); len(acts) != 2 || acts[0] != fmt.Sprintf("deferred held:%d", ids[2]) {
		t.Errorf("audit = %v", acts)
	}
}

func testHeldNoticeOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "notice@example.org")
	h := intake(t, s, l.ID, store.StateHeld, "notify me")
	un, err := s.UnnotifiedHeld(ctx, 10)
	must(t, err, "unnotified")
	if len(un) != 1 || un[0].ID != h.HeldID {
		t.Fatalf("unnotified = %+v", un)
	}
	before := queuedMail(t, s)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.SaveHeldNotice(ctx, &store.HeldNotice{HeldID: h.HeldID,
				Tokens:  []*store.ModerationToken{{Hash: fmt.Sprintf("hash-%d", i), HeldID: h.HeldID, ListID: l.ID, Address: "mod@example.org", Expires: time.Now().Add(time.Hour)}},
				Mails:   []*store.QueuedMail{{From: "a@x", To: "mod@example.org", Raw: []byte("x")}, {From: "a@x", To: "own@example.org", Raw: []byte("x")}},
				OnceKey: "await:sender", OnceMail: &store.QueuedMail{From: "a@x", To: "sender@example.net", Raw: []byte("x")}})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrAlreadyHandled):
			t.Errorf("SaveHeldNotice: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d SaveHeldNotice calls succeeded, want exactly 1", ok)
	}
	if got := queuedMail(t, s) - before; got != 3 {
		t.Errorf("%d mails queued, want 3 (two notices and the sender's, once)", got)
	}
	if un, _ := s.UnnotifiedHeld(ctx, 10); len(un) != 0 {
		t.Errorf("still unnotified: %+v", un)
	}
	// A second item of the same sender: the once-key holds its sender mail back.
	h2 := intake(t, s, l.ID, store.StateHeld, "again")
	must(t, s.SaveHeldNotice(ctx, &store.HeldNotice{HeldID: h2.HeldID, OnceKey: "await:sender",
		OnceMail: &store.QueuedMail{From: "a@x", To: "sender@example.net", Raw: []byte("x")}}), "second item")
	if got := queuedMail(t, s) - before; got != 3 {
		t.Errorf("%d mails queued after the second item, want still 3", got)
	}
}

func testModerationTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "tokens@example.org")
	h := intake(t, s, l.ID, store.StateHeld, "tokens")
	now := time.Now()
	must(t, s.SaveHeldNotice(ctx, &store.HeldNotice{HeldID: h.HeldID, Tokens: []*store.ModerationToken{
		{Hash: "live", HeldID: h.HeldID, ListID: l.ID, Address: "Mod@Example.org", Expires: now.Add(time.Hour)},
		{Hash: "old", HeldID: h.HeldID, ListID: l.ID, Address: "mod@example.org", Expires: now.Add(-time.Second)},
	}}), "save")
	tok, err := s.PeekModerationToken(ctx, "live", now)
	must(t, err, "peek")
	if tok.HeldID != h.HeldID || tok.ListID != l.ID || tok.Address != "mod@example.org" {
		t.Errorf("token = %+v", tok)
	}
	_, err = s.PeekModerationToken(ctx, "old", now)
	wantErr(t, err, store.ErrNotFound, "peek expired")
	wantErr(t, s.UseModerationToken(ctx, "old", now), store.ErrNotFound, "use expired")
	const n = 6
	var wg sync.WaitGroup
	var mu sync.Mutex
	used := 0
	for range n {
		wg.Go(func() {
			if s.UseModerationToken(ctx, "live", now) == nil {
				mu.Lock()
				used++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if used != 1 {
		t.Errorf("token used %d times, want once", used)
	}
	_, err = s.PeekModerationToken(ctx, "live", now)
	wantErr(t, err, store.ErrNotFound, "peek used")
}

func testExpiredAndPending(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mustList(t, s, "expa@example.org"), mustList(t, s, "expb@example.org")
	ha := intake(t, s, a.ID, store.StateHeld, "old a")
	intake(t, s, b.ID, store.StateHeld, "old b")
	intake(t, s, b.ID, store.StateHeld, "old b2")
	must(t, s.SetModerationSettings(ctx, &store.ListModeration{ListID: b.ID, HoldDays: 0}, "o"), "never expire b")
	now := time.Now()
	if hs, _ := s.ExpiredHeld(ctx, now, 10); len(hs) != 0 {
		t.Errorf("fresh items expired: %d", len(hs))
	}
	if hs, _ := s.ExpiredHeld(ctx, now.Add(13*24*time.Hour), 10); len(hs) != 0 {
		t.Errorf("items expired after 13 of 14 days: %d", len(hs))
	}
	hs, err := s.ExpiredHeld(ctx, now.Add(15*24*time.Hour), 10)
	must(t, err, "expired")
	if len(hs) != 1 || hs[0].ID != ha.HeldID {
		t.Errorf("expired after 15 days = %+v, want only list a's item (b never expires)", hs)
	}
	if ps, err := s.PendingLists(ctx); err != nil || len(ps) != 2 || ps[0].ListID != a.ID || ps[0].Count != 1 || ps[1].Count != 2 || ps[1].Oldest.IsZero() {
		t.Errorf("pending = %+v, %v", ps, err)
	}
}

func testEnqueueOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	mail := func() *store.QueuedMail { return &store.QueuedMail{From: "a@x", To: "b@x", Raw: []byte("x")} }
	before := queuedMail(t, s)
	first, err1 := s.EnqueueOnce(ctx, "k1", mail(), mail())
	second, err2 := s.EnqueueOnce(ctx, "k1", mail())
	if !first || second || err1 != nil || err2 != nil || queuedMail(t, s)-before != 2 {
		t.Fatalf("EnqueueOnce twice = %v %v, %v %v; want true then false, 2 mails queued", first, err1, second, err2)
	}
	if n, err := s.ForgetOnce(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
		t.Errorf("ForgetOnce = %d, %v", n, err)
	}
	if ok, _ := s.EnqueueOnce(ctx, "k1", mail()); !ok {
		t.Error("a forgotten key still blocks")
	}
}
