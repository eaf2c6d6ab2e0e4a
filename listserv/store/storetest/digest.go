package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

var digestTests = []storeTest{
	{"DigestEnterLeave", testDigestEnterLeave},
	{"DigestClaimCommit", testDigestClaimCommit},
	{"DigestCommitFenced", testDigestCommitFenced},
	{"DigestCommitBatch", testDigestCommitBatch},
	{"DigestConcurrentClaimers", testDigestConcurrentClaimers},
	{"DigestSettings", testDigestSettings},
	{"ListDigestDefaults", testListDigestDefaults},
}

func digestMember(t *testing.T, s store.Store, listID int64, addr string) *store.Member {
	t.Helper()
	m, err := s.GetMember(t.Context(), listID, addr)
	must(t, err, "get member "+addr)
	return m
}

func digestState(t *testing.T, s store.Store, memberID int64) *store.DigestState {
	t.Helper()
	d, err := s.GetDigestState(t.Context(), memberID)
	must(t, err, "get digest state")
	return d
}

// setMode changes members.mode the way the subscription engine does.
func setMode(t *testing.T, s store.Store, memberID int64, mode string) {
	t.Helper()
	p, err := s.GetMemberPrefs(t.Context(), memberID)
	must(t, err, "get prefs")
	must(t, s.SetDelivery(t.Context(), memberID, mode, p), "set delivery "+mode)
}

// testDigestEnterLeave: a member added in digest mode starts at the
// list's last UID, one switching from each starts at the switch, and one
// leaving digest mode is owed a last digest up to the UID at the switch.
func testDigestEnterLeave(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "dg@example.org")
	intake(t, s, l.ID, store.StateAccepted, "before")
	addMembers(t, s, l.ID, []store.NewMember{{Address: "d@x.org", Mode: store.ModeDigest}, {Address: "e@x.org"}})
	d := digestMember(t, s, l.ID, "d@x.org")
	e := digestMember(t, s, l.ID, "e@x.org")
	if st := digestState(t, s, d.ID); !st.Active || st.Cursor != 1 || !st.NextDue.IsZero() || st.Period != store.DigestDaily {
		t.Errorf("member added in digest mode: %+v", st)
	}
	if st := digestState(t, s, e.ID); st.Active || st.Hour != 7 || st.Zone != "Europe/London" || st.PersonFormat != store.FormatHTML {
		t.Errorf("each member: %+v", st)
	}
	intake(t, s, l.ID, store.StateAccepted, "second")
	setMode(t, s, e.ID, store.ModeDigest)
	if st := digestState(t, s, e.ID); !st.Active || st.Cursor != 2 {
		t.Errorf("switched to digest after UID 2: %+v", st)
	}
	intake(t, s, l.ID, store.StateAccepted, "third")
	last, err := s.LastUID(ctx, l.ID)
	must(t, err, "last uid")
	if last != 3 {
		t.Fatalf("LastUID = %d, want 3", last)
	}
	posts, err := s.DigestPosts(ctx, l.ID, 1, last, 10)
	must(t, err, "digest posts")
	if len(posts) != 2 || posts[0].UID != 2 || posts[1].UID != 3 || posts[0].Subject != "second" || len(posts[1].Raw) == 0 {
		t.Fatalf("posts after UID 1: %d", len(posts))
	}
	if page, _ := s.DigestPosts(ctx, l.ID, 0, last, 1); len(page) != 1 || page[0].UID != 1 {
		t.Errorf("bounded page: %v", page)
	}
	setMode(t, s, d.ID, store.ModeEach)
	if st := digestState(t, s, d.ID); !st.Active || st.FinalUpto != 3 || st.Cursor != 1 {
		t.Errorf("left digest mode: %+v", st)
	}
	setMode(t, s, d.ID, store.ModeDigest) // back before the last digest went: keep the cursor
	if st := digestState(t, s, d.ID); !st.Active || st.FinalUpto != 0 || st.Cursor != 1 {
		t.Errorf("re-entered digest mode: %+v", st)
	}
	ds, err := s.DigestMembers(ctx, l.ID, 0, 10)
	must(t, err, "digest members")
	if len(ds) != 2 {
		t.Errorf("DigestMembers = %d, want 2", len(ds))
	}
}

func testDigestClaimCommit(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "dc@example.org")
	addMembers(t, s, l.ID, []store.NewMember{{Address: "d@x.org", Mode: store.ModeDigest}})
	d := digestMember(t, s, l.ID, "d@x.org")
	intake(t, s, l.ID, store.StateAccepted, "one")
	now := time.Now()
	if due, ok, err := s.NextDigestDue(ctx); err != nil || !ok || due.After(now) {
		t.Fatalf("NextDigestDue = %v %v %v, want a due time now", due, ok, err)
	}
	cs, err := s.ClaimDigests(ctx, "n1", time.Minute, now, 10)
	must(t, err, "claim")
	if len(cs) != 1 || cs[0].MemberID != d.ID || cs[0].Member.Address != "d@x.org" {
		t.Fatalf("claimed %d", len(cs))
	}
	if again, _ := s.ClaimDigests(ctx, "n2", time.Minute, now, 10); len(again) != 0 {
		t.Errorf("a leased member was claimed again")
	}
	next := now.Add(24 * time.Hour).Truncate(time.Millisecond)
	mail := &store.QueuedMail{From: "dc-bounces@example.org", To: "d@x.org", Raw: []byte("Subject: digest\r\n\r\nx\r\n")}
	must(t, s.CommitDigest(ctx, cs[0], store.DigestOutcome{Cursor: 1, NextDue: next, Sent: now, Mail: []*store.QueuedMail{mail}}), "commit")
	if mail.ID == 0 {
		t.Error("queued mail has no id")
	}
	st := digestState(t, s, d.ID)
	if st.Cursor != 1 || !st.NextDue.Equal(next) || st.LastSent.IsZero() {
		t.Errorf("after commit: %+v", st)
	}
	wantErr(t, s.CommitDigest(ctx, cs[0], store.DigestOutcome{Cursor: 1, NextDue: next, Mail: []*store.QueuedMail{mail}}),
		store.ErrLeaseLost, "second commit of one claim")
	q, err := s.Pending(ctx)
	must(t, err, "pending")
	if q.Mail != 1 {
		t.Errorf("queued mail = %d, want 1", q.Mail)
	}
	if cs, _ := s.ClaimDigests(ctx, "n1", time.Minute, now, 10); len(cs) != 0 {
		t.Errorf("claimed before the next due time")
	}
	n, err := s.MakeDigestsDue(ctx, l.ID, now)
	must(t, err, "make digests due")
	if n != 1 {
		t.Errorf("MakeDigestsDue = %d, want 1", n)
	}
	if cs, _ := s.ClaimDigests(ctx, "n1", time.Minute, now, 10); len(cs) != 1 || !cs[0].NextDue.Equal(now.Truncate(time.Millisecond)) {
		t.Errorf("not claimed once made due now: %d", len(cs))
	}
}

// testDigestCommitFenced: a schedule change or a mode change after the
// claim makes the commit fail without queueing anything.
func testDigestCommitFenced(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "df@example.org")
	addMembers(t, s, l.ID, []store.NewMember{{Address: "d@x.org", Mode: store.ModeDigest}})
	d := digestMember(t, s, l.ID, "d@x.org")
	now := time.Now()
	// A fenced commit keeps its lease until it runs out: claim later.
	claims := 0
	claim := func() *store.DigestState {
		claims++
		cs, err := s.ClaimDigests(ctx, "n1", time.Minute, now.Add(time.Duration(claims)*5*time.Minute), 10)
		must(t, err, "claim")
		if len(cs) != 1 {
			t.Fatalf("claimed %d, want 1", len(cs))
		}
		return cs[0]
	}
	out := store.DigestOutcome{Cursor: 5, NextDue: now.Add(time.Hour), Mail: []*store.QueuedMail{{From: "a@x", To: "b@x", Raw: []byte("x")}}}
	// Taken over after the lease ran out.
	c := claim()
	later, err := s.ClaimDigests(ctx, "n2", time.Minute, now.Add(20*time.Minute), 10)
	must(t, err, "claim after expiry")
	if len(later) != 1 {
		t.Fatalf("expired lease not taken over")
	}
	wantErr(t, s.CommitDigest(ctx, c, out), store.ErrLeaseLost, "commit after take-over")
	must(t, s.CommitDigest(ctx, later[0], store.DigestOutcome{Cursor: 0, NextDue: now}), "reschedule")
	claims = 1
	c = claim()
	must(t, s.SetDigestSettings(ctx, &store.DigestSettings{MemberID: d.ID, Hour: 9, Weekday: time.Friday, Zone: "Europe/Paris", Format: store.DigestMIME}), "settings")
	wantErr(t, s.CommitDigest(ctx, c, out), store.ErrLeaseLost, "commit after a schedule change")
	c = claim()
	setMode(t, s, d.ID, store.ModeEach)
	wantErr(t, s.CommitDigest(ctx, c, out), store.ErrLeaseLost, "commit after leaving digest mode")
	if q, _ := s.Pending(ctx); q.Mail != 0 {
		t.Errorf("fenced commits queued %d mails", q.Mail)
	}
	c = claim()
	if c.FinalUpto != 0 || c.Member.Mode != store.ModeEach {
		t.Logf("final claim: %+v", c)
	}
	must(t, s.CommitDigest(ctx, c, store.DigestOutcome{Cursor: 0}), "stop")
	if st := digestState(t, s, d.ID); st.Active || st.Hour != 9 || st.Format != store.DigestMIME {
		t.Errorf("after the last digest: %+v", st)
	}
	if _, ok, _ := s.NextDigestDue(ctx); ok {
		t.Error("NextDigestDue with no digest member")
	}
}

// testDigestConcurrentClaimers: four claimers, every member's digest is
// committed exactly once.
func testDigestConcurrentClaimers(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "dn@example.org")
	ms := nMembers("dn", 60)
	for i := range ms {
		ms[i].Mode = store.ModeDigest
	}
	addMembers(t, s, l.ID, ms)
	now := time.Now()
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := string(rune('a' + w))
			for {
				cs, err := s.ClaimDigests(ctx, owner, time.Minute, now, 7)
				if err != nil {
					errs <- err
					return
				}
				if len(cs) == 0 {
					return
				}
				for _, c := range cs {
					err := s.CommitDigest(ctx, c, store.DigestOutcome{Cursor: 0, NextDue: now.Add(time.Hour), Sent: now})
					if errors.Is(err, store.ErrLeaseLost) {
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					seen[c.MemberID]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != 60 {
		t.Errorf("%d members committed, want 60", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("member %d committed %d times", id, n)
		}
	}
}

func testDigestSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "ds@example.org")
	addMembers(t, s, l.ID, []store.NewMember{{Address: "d@x.org"}})
	d := digestMember(t, s, l.ID, "d@x.org")
	want := store.DigestSettings{MemberID: d.ID, Hour: 18, Weekday: time.Sunday, Zone: "America/New_York", Format: store.DigestSummary}
	must(t, s.SetDigestSettings(ctx, &want), "set")
	st := digestState(t, s, d.ID)
	if st.DigestSettings != want || st.Active {
		t.Errorf("settings = %+v active %v, want %+v inactive", st.DigestSettings, st.Active, want)
	}
	setMode(t, s, d.ID, store.ModeDigest)
	if st := digestState(t, s, d.ID); st.DigestSettings != want || !st.Active {
		t.Errorf("settings lost on entering digest mode: %+v", st)
	}
	wantErr(t, s.SetDigestSettings(ctx, &store.DigestSettings{MemberID: 1 << 40, Zone: "UTC"}), store.ErrNotFound, "settings of no member")
}

// testListDigestDefaults: a list's digest defaults start as the server's,
// are saved, give members who enter digest mode afterwards (or never
// chose) the list's hour and weekday while a member's own choice wins,
// and the list says when its last digest went out.
func testListDigestDefaults(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "ld@example.org")
	addMembers(t, s, l.ID, []store.NewMember{{Address: "early@x.org", Mode: store.ModeDigest}, {Address: "chose@x.org"}, {Address: "each@x.org"}})
	got, err := s.GetListDigest(ctx, l.ID)
	must(t, err, "get list digest")
	if *got != (store.ListDigest{ListID: l.ID, Hour: 7, Weekday: time.Monday}) {
		t.Errorf("defaults: %+v", got)
	}
	chose := digestMember(t, s, l.ID, "chose@x.org")
	own := store.DefaultDigestSettings(chose.ID)
	own.Hour = 9
	must(t, s.SetDigestSettings(ctx, &own), "member's own hour")
	set := &store.ListDigest{ListID: l.ID, Hour: 18, Weekday: time.Friday, MaxPosts: 20, MaxBytes: 500000}
	must(t, s.SetListDigest(ctx, set), "set list digest")
	got, err = s.GetListDigest(ctx, l.ID)
	must(t, err, "get list digest")
	if *got != *set {
		t.Errorf("saved %+v, read %+v", set, got)
	}
	addMembers(t, s, l.ID, []store.NewMember{{Address: "late@x.org", Mode: store.ModeDigest}})
	setMode(t, s, chose.ID, store.ModeDigest)
	for addr, want := range map[string][2]int{"early@x.org": {7, 1}, "late@x.org": {18, 5}, "chose@x.org": {9, 1}, "each@x.org": {18, 5}} {
		st := digestState(t, s, digestMember(t, s, l.ID, addr).ID)
		if st.Hour != want[0] || int(st.Weekday) != want[1] {
			t.Errorf("%s: hour %d weekday %d, want %d %d", addr, st.Hour, st.Weekday, want[0], want[1])
		}
	}
	intake(t, s, l.ID, store.StateAccepted, "one")
	now := time.Now().Truncate(time.Millisecond)
	cs, err := s.ClaimDigests(ctx, "n1", time.Minute, now, 10)
	must(t, err, "claim")
	if len(cs) == 0 {
		t.Fatal("nothing claimed")
	}
	must(t, s.CommitDigest(ctx, cs[0], store.DigestOutcome{Cursor: 1, NextDue: now.Add(time.Hour), Sent: now}), "commit")
	got, err = s.GetListDigest(ctx, l.ID)
	must(t, err, "get list digest")
	if !got.LastSent.Equal(now) {
		t.Errorf("last sent %v, want %v", got.LastSent, now)
	}
}
