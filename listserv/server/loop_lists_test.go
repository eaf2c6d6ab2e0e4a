package server_test

import (
	"testing"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestLoopBetweenTwoLists: two lists subscribed to each other (a common
// mistake when networks merge lists). Each list replaces List-Id and
// X-Loop with its own, so neither sees its own mark when the other's copy
// comes back; what stops the loop is the per-list Message-ID: list A
// already distributed that post, so B's copy of it is not distributed
// again. The copies the relay receives are fed back in over SMTP as the
// member lists' mail servers would.
func TestLoopBetweenTwoLists(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		const a, b = "alpha@lists.example.org", "beta@lists.example.org"
		e.list(t, &store.List{Address: a, Policy: store.PolicyOpen},
			store.NewMember{Address: "ann@example.net"}, store.NewMember{Address: "cat@example.org"}, store.NewMember{Address: b})
		e.list(t, &store.List{Address: b, Policy: store.PolicyOpen},
			store.NewMember{Address: "bob@example.com"}, store.NewMember{Address: a})

		e.mustSend(t, "ann@example.net", []string{a}, post("ann@example.net", "round and round", "loop-ab@example.net", ""))
		toB := waitCopy(t, e, b, 1)
		// B's mail server delivers A's copy to B: B distributes it once
		// (the positive control: a list does take another list's mail).
		e.mustSend(t, toB.From, []string{b}, string(toB.Data))
		waitFor(t, "bob's copy from beta", func() bool { return len(e.copiesTo("bob@example.com")) == 1 })
		toA := waitCopy(t, e, a, 1)
		// A's mail server delivers B's copy back to A: the loop must stop.
		e.mustSend(t, toA.From, []string{a}, string(toA.Data))
		// A later post to B is the marker: once its copies are out, a
		// looped copy would have been too.
		e.mustSend(t, "bob@example.com", []string{b}, post("bob@example.com", "marker", "marker@example.com", ""))
		waitFor(t, "the marker to alpha's address", func() bool { return len(e.copiesTo(a)) == 2 })
		if n := len(e.copiesTo("cat@example.org")); n != 1 {
			t.Errorf("cat got %d copies of the post; the loop between the lists did not stop", n)
		}
		if n := len(e.copiesTo(b)); n != 1 {
			t.Errorf("beta's address got %d copies from alpha; want 1", n)
		}
	})
}

// waitCopy waits for the n-th copy to rcpt and returns it.
func waitCopy(t *testing.T, e *env, rcpt string, n int) smtpsink.Message {
	t.Helper()
	var got []smtpsink.Message
	waitFor(t, "a copy to "+rcpt, func() bool { got = e.copiesTo(rcpt); return len(got) >= n })
	m := got[n-1]
	if m.From == "" {
		t.Fatalf("copy to %s has no envelope sender", rcpt)
	}
	return m
}
