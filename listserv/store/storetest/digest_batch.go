package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// testDigestCommitBatch: CommitDigests moves every member's cursor with
// their own mail in one call, leaves out a member whose claim no longer
// holds (nothing of theirs queued), and a second commit of the same
// claims queues nothing. One member's 201 parts cross the multi-row
// INSERT's bound.
func testDigestCommitBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "db@example.org")
	addrs := []string{"a@x.org", "b@x.org", "c@x.org"}
	var nm []store.NewMember
	for _, a := range addrs {
		nm = append(nm, store.NewMember{Address: a, Mode: store.ModeDigest})
	}
	addMembers(t, s, l.ID, nm)
	now := time.Now()
	cs, err := s.ClaimDigests(ctx, "n1", time.Minute, now, 10)
	must(t, err, "claim")
	if len(cs) != 3 {
		t.Fatalf("claimed %d, want 3", len(cs))
	}
	left := slices.IndexFunc(cs, func(d *store.DigestState) bool { return d.Member.Address == "b@x.org" })
	setMode(t, s, cs[left].MemberID, store.ModeEach) // fences b's claim
	next := now.Add(24 * time.Hour).Truncate(time.Millisecond)
	batch := make([]store.DigestCommit, len(cs))
	want := 0
	for i, d := range cs {
		parts := 1
		if d.Member.Address == "c@x.org" {
			parts = 201
		}
		var ms []*store.QueuedMail
		for p := range parts {
			ms = append(ms, &store.QueuedMail{From: "db-bounces@example.org", To: d.Member.Address,
				Raw: fmt.Appendf(nil, "Subject: part %d\r\n\r\nx\r\n", p+1)})
		}
		if i != left {
			want += parts
		}
		batch[i] = store.DigestCommit{State: d, Outcome: store.DigestOutcome{Cursor: 7, NextDue: next, Sent: now, Mail: ms}}
	}
	lost, err := s.CommitDigests(ctx, batch)
	must(t, err, "commit batch")
	if !slices.Equal(lost, []int{left}) {
		t.Errorf("lost = %v, want [%d]", lost, left)
	}
	checkBatchQueued(t, s, want, "b@x.org")
	for i, d := range cs {
		st := digestState(t, s, d.MemberID)
		if moved := st.Cursor == 7; moved == (i == left) {
			t.Errorf("%s: cursor %d after the batch (lost: %v)", d.Member.Address, st.Cursor, i == left)
		}
	}
	lost, err = s.CommitDigests(ctx, batch)
	must(t, err, "second commit")
	if len(lost) != 3 {
		t.Errorf("second commit of the same claims: lost %v, want all three", lost)
	}
	checkBatchQueued(t, s, want, "b@x.org")
}

// checkBatchQueued claims the whole mail queue: want mails, none to the
// fenced member, each with its bytes.
func checkBatchQueued(t *testing.T, s store.Store, want int, fenced string) {
	t.Helper()
	q, err := s.Pending(t.Context())
	must(t, err, "pending")
	if q.Mail != int64(want) {
		t.Fatalf("queued %d mails, want %d", q.Mail, want)
	}
	ms, err := s.ClaimMail(t.Context(), "check", time.Millisecond, 1000)
	must(t, err, "claim mail")
	if len(ms) != want {
		t.Errorf("claimed %d queued mails, want %d", len(ms), want)
	}
	for _, m := range ms {
		if m.To == fenced || !bytes.HasPrefix(m.Raw, []byte("Subject: part ")) || m.From != "db-bounces@example.org" {
			t.Errorf("queued %s -> %s %q", m.From, m.To, m.Raw)
		}
	}
	time.Sleep(2 * time.Millisecond) // the check's lease runs out
}
