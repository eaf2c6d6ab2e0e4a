package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// testDigestJobs: CommitDigests queues members who share a rendered part
// as one digest job (body stored once), leaves out a fenced member,
// groups other renderings apart; a job is leased to one owner, read
// back with its members after the checkpoint (a member who left is not
// read; far-apart ids by key), checkpointed, taken over when its lease
// runs out, and completed (deleted). A temporary failure becomes queued
// mail of the job's body; a permanent one is recorded. Bodies in use are
// not swept.
func testDigestJobs(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "dj@example.org")
	var nm []store.NewMember
	for i := range 6 {
		nm = append(nm, store.NewMember{Address: fmt.Sprintf("m%d@x.org", i), Mode: store.ModeDigest})
	}
	addMembers(t, s, l.ID, nm)
	now := time.Now()
	cs, err := s.ClaimDigests(ctx, "n1", time.Minute, now, 10)
	must(t, err, "claim")
	if len(cs) != 6 {
		t.Fatalf("claimed %d, want 6", len(cs))
	}
	slices.SortFunc(cs, func(a, b *store.DigestState) int { return int(a.MemberID - b.MemberID) })
	setMode(t, s, cs[5].MemberID, store.ModeEach) // fences m5's claim
	shared := []byte("From: dj@example.org\r\nSubject: digest\r\n\r\nbody\r\n")
	other := []byte("From: dj@example.org\r\nSubject: digest\r\n\r\nhtml\r\n")
	batch := make([]store.DigestCommit, len(cs))
	for i, d := range cs {
		body := shared
		if i == 4 {
			body = other
		}
		batch[i] = store.DigestCommit{State: d, Outcome: store.DigestOutcome{Cursor: 3, NextDue: now.Add(time.Hour), Sent: now,
			Parts: []store.DigestPart{{Shared: body, Part: 1, FirstUID: 2, LastUID: 3, LastMsgID: 9}}}}
	}
	lost, err := s.CommitDigests(ctx, batch)
	must(t, err, "commit")
	if !slices.Equal(lost, []int{5}) {
		t.Errorf("lost %v, want [5]", lost)
	}
	if q := pending(t, s); q.DigestJobs != 2 || q.Mail != 0 || q.Idle() || q.OldestDigest.IsZero() {
		t.Fatalf("pending %+v, want 2 digest jobs and no mail", q)
	}
	for i := range 4 {
		if st := digestState(t, s, cs[i].MemberID); st.Cursor != 3 {
			t.Errorf("m%d cursor %d, want 3", i, st.Cursor)
		}
	}

	j, err := s.ClaimDigestJob(ctx, "w1", time.Minute)
	must(t, err, "claim job")
	if j.Taken || j.Owner != "w1" || j.ListID != l.ID || j.Part != 1 || j.FirstUID != 2 || j.LastUID != 3 || j.LastMsgID != 9 {
		t.Errorf("job %+v", j)
	}
	body, err := s.MailBody(ctx, j.BodyID)
	must(t, err, "job body")
	if !bytes.Equal(body, shared) {
		t.Fatalf("first job's body %q, want the shared one (the oldest job first)", body)
	}
	want := []int64{cs[0].MemberID, cs[1].MemberID, cs[2].MemberID, cs[3].MemberID}
	if !slices.Equal(j.Members, want) {
		t.Fatalf("job members %v, want %v", j.Members, want)
	}
	j2, err := s.ClaimDigestJob(ctx, "w2", time.Minute)
	must(t, err, "claim second job")
	if j2.ID == j.ID || !slices.Equal(j2.Members, []int64{cs[4].MemberID}) {
		t.Errorf("second job %+v, want m4's own", j2)
	}
	_, err = s.ClaimDigestJob(ctx, "w3", time.Minute)
	wantErr(t, err, store.ErrNotFound, "claim while both are leased")
	if n, err := s.SweepMailBodies(ctx, now.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("sweep while jobs use the bodies = %d, %v; want 0", n, err)
	}

	// m1 leaves the list: the job no longer reads them.
	must(t, s.RemoveMemberByID(ctx, cs[1].MemberID), "remove m1")
	checkJobMembers(t, s, j, "m0@x.org", "m2@x.org", "m3@x.org")

	// m0 sent; checkpoint. A stale owner's checkpoint is refused.
	j.SentUpto = cs[0].MemberID
	must(t, s.CheckpointDigestJob(ctx, j, time.Millisecond, store.DigestJobResult{Sent: 1}), "checkpoint")
	stale := *j
	stale.Owner = "w9"
	wantErr(t, s.CheckpointDigestJob(ctx, &stale, time.Minute, store.DigestJobResult{}), store.ErrLeaseLost, "stale checkpoint")
	time.Sleep(5 * time.Millisecond) // w1's lease runs out
	tk, err := s.ClaimDigestJob(ctx, "w4", time.Minute)
	must(t, err, "take over")
	if tk.ID != j.ID || !tk.Taken || tk.SentUpto != cs[0].MemberID {
		t.Fatalf("taken over %+v, want job %d taken after m0", tk, j.ID)
	}
	checkJobMembers(t, s, tk, "m2@x.org", "m3@x.org")
	wantErr(t, s.CompleteDigestJob(ctx, j, store.DigestJobResult{}), store.ErrLeaseLost, "complete by the old owner")

	// m2 refused for now (queued as mail of the job's body), m3 for good.
	temp := store.DigestJobFailure{Failure: store.Failure{MemberID: cs[2].MemberID, Rcpt: "m2@x.org", Code: 451, Text: "later",
		Temporary: true}, From: "dj-bounces+x@example.org", Head: []byte("Message-ID: <m2>\r\n"), Next: now}
	perm := store.DigestJobFailure{Failure: store.Failure{MemberID: cs[3].MemberID, Rcpt: "m3@x.org", Code: 550, Text: "no user"}}
	must(t, s.CompleteDigestJob(ctx, tk, store.DigestJobResult{Failures: []store.DigestJobFailure{temp, perm}}), "complete")
	if q := pending(t, s); q.DigestJobs != 1 || q.Mail != 1 {
		t.Errorf("after completing: %+v, want 1 job (w2's) and 1 mail (m2's retry)", q)
	}
	ms, err := s.ClaimMail(ctx, "w5", time.Minute, 10)
	must(t, err, "claim retry mail")
	if len(ms) != 1 || ms[0].To != "m2@x.org" || string(ms[0].Raw) != "Message-ID: <m2>\r\n" || ms[0].SharedID != tk.BodyID ||
		ms[0].Attempts != 1 || ms[0].From != temp.From {
		t.Errorf("retry mail %+v, want m2's head before the job's body", ms)
	}
	fs, err := s.ListFailures(ctx, cs[3].MemberID)
	must(t, err, "failures")
	if len(fs) != 1 || fs[0].Code != 550 {
		t.Errorf("m3's failures %+v, want the 550", fs)
	}
	must(t, s.CompleteDigestJob(ctx, j2, store.DigestJobResult{Sent: 1}), "complete second")
	if q := pending(t, s); q.DigestJobs != 0 {
		t.Errorf("after both: %d jobs", q.DigestJobs)
	}
	if _, err := s.ClaimDigestJob(ctx, "w6", time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claim with no jobs: %v, want ErrNotFound", err)
	}
}

// checkJobMembers: the job's members after its checkpoint are want.
func checkJobMembers(t *testing.T, s store.Store, j *store.DigestJob, want ...string) {
	t.Helper()
	ms, err := s.DigestJobMembers(t.Context(), j)
	must(t, err, "job members")
	var got []string
	for _, m := range ms {
		got = append(got, m.Address)
	}
	if !slices.Equal(got, want) {
		t.Errorf("job members %v, want %v", got, want)
	}
}

// testDigestJobMembersByKey: a job reads just its own members, whether
// they are far apart among the list's ids (most members not in digest
// mode: read by key) or close together with others between them (read
// as a range, the others left out).
func testDigestJobMembersByKey(t *testing.T, s store.Store) {
	checkSparseJob(t, s, "dk@example.org", 10, "k00@x.org", "k10@x.org", "k20@x.org")
	var even []string
	for i := 0; i < 30; i += 2 {
		even = append(even, fmt.Sprintf("k%02d@x.org", i))
	}
	checkSparseJob(t, s, "dr@example.org", 2, even...)
}

// checkSparseJob makes a list of 30 members where every every-th is in
// digest mode, queues one digest part for them and reads the job back.
func checkSparseJob(t *testing.T, s store.Store, list string, every int, want ...string) {
	t.Helper()
	ctx := t.Context()
	l := mustList(t, s, list)
	var nm []store.NewMember
	for i := range 30 {
		mode := store.ModeEach
		if i%every == 0 {
			mode = store.ModeDigest
		}
		nm = append(nm, store.NewMember{Address: fmt.Sprintf("k%02d@x.org", i), Mode: mode})
	}
	addMembers(t, s, l.ID, nm)
	now := time.Now()
	cs, err := s.ClaimDigests(ctx, "n1", time.Minute, now, 100)
	must(t, err, "claim")
	batch := make([]store.DigestCommit, len(cs))
	body := []byte("Subject: d\r\n\r\nb\r\n") // one rendering, shared
	for i, d := range cs {
		batch[i] = store.DigestCommit{State: d, Outcome: store.DigestOutcome{Cursor: 1, NextDue: now.Add(time.Hour), Sent: now,
			Parts: []store.DigestPart{{Shared: body, Part: 1, FirstUID: 1, LastUID: 1}}}}
	}
	lost, err := s.CommitDigests(ctx, batch)
	must(t, err, "commit")
	if len(cs) != len(want) || len(lost) != 0 {
		t.Fatalf("claimed %d, lost %v; want %d claimed, none lost", len(cs), lost, len(want))
	}
	j, err := s.ClaimDigestJob(ctx, "w1", time.Minute)
	must(t, err, "claim job")
	checkJobMembers(t, s, j, want...)
	must(t, s.CompleteDigestJob(ctx, j, store.DigestJobResult{}), "complete")
}
