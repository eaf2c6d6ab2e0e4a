package storetest

import (
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// testBounceDigestPaused: a digest member disabled by bounces is not
// claimed, and their due time is cleared rather than left in the past
// (the digest engine sleeps until the earliest due time, so a due row it
// can never claim would wake it at once, for ever). Re-enabling makes the
// digest due again, from the list's newest post: what was sent while
// delivery was paused is not owed.
func testBounceDigestPaused(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "paused@example.org")
	ms := addMembers(t, s, l.ID, []store.NewMember{{Address: "off@x.org", Mode: store.ModeDigest}, {Address: "on@x.org", Mode: store.ModeDigest}})
	intake(t, s, l.ID, store.StateAccepted, "one")
	now := time.Now()
	o, err := s.RecordBounce(ctx, store.BounceEvent{MemberID: ms["off@x.org"].ID, Permanent: true, At: now, Window: time.Hour, Threshold: 1})
	must(t, err, "RecordBounce")
	if !o.Disabled {
		t.Fatalf("not disabled: %+v", o.Member)
	}
	cs, err := s.ClaimDigests(ctx, "n1", time.Minute, now, 10)
	must(t, err, "claim")
	if len(cs) != 1 || cs[0].MemberID != ms["on@x.org"].ID { // positive control: the enabled member is claimed
		t.Fatalf("claimed %d digests, want only on@x.org's", len(cs))
	}
	if st := digestState(t, s, ms["off@x.org"].ID); st.Active {
		t.Errorf("disabled member's digest still due: %+v", st)
	}
	next := now.Add(24 * time.Hour).Truncate(time.Millisecond)
	must(t, s.CommitDigest(ctx, cs[0], store.DigestOutcome{Cursor: 1, NextDue: next, Sent: now}), "commit")
	if due, ok, err := s.NextDigestDue(ctx); err != nil || !ok || !due.Equal(next) {
		t.Errorf("NextDigestDue = %v %v %v, want %v (on@x.org's next digest)", due, ok, err, next)
	}
	intake(t, s, l.ID, store.StateAccepted, "two")
	_, err = s.EnableDelivery(ctx, ms["off@x.org"].ID)
	must(t, err, "EnableDelivery")
	if st := digestState(t, s, ms["off@x.org"].ID); !st.Active || !st.NextDue.IsZero() || st.Cursor != 2 {
		t.Errorf("re-enabled member's digest: %+v, want due for the engine to schedule, from UID 2", st)
	}
	cs, err = s.ClaimDigests(ctx, "n1", time.Minute, now, 10)
	must(t, err, "claim after re-enabling")
	if len(cs) != 1 || cs[0].MemberID != ms["off@x.org"].ID {
		t.Errorf("claimed %d after re-enabling, want off@x.org's", len(cs))
	}
}
