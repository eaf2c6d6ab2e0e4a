package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

var deliverabilityTests = []storeTest{
	{"DKIMKeys", testDKIMKeys},
	{"ListDeliverability", testListDeliverability},
	{"BounceWarnings", testBounceWarnings},
}

// testDKIMKeys: keys per domain, newest first; a reused selector is
// ErrExists and changes nothing.
func testDKIMKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	t0 := time.UnixMilli(time.Now().UnixMilli())
	old := &store.DKIMKey{Domain: "lists.example.org", Selector: "s1", Algorithm: "rsa", PrivatePEM: []byte("PEM1"), Created: t0}
	must(t, s.PutDKIMKey(ctx, old), "PutDKIMKey")
	must(t, s.PutDKIMKey(ctx, &store.DKIMKey{Domain: "lists.example.org", Selector: "s2", Algorithm: "ed25519",
		PrivatePEM: []byte("PEM2"), Created: t0.Add(time.Second)}), "PutDKIMKey")
	must(t, s.PutDKIMKey(ctx, &store.DKIMKey{Domain: "other.example.org", Selector: "s1", Algorithm: "rsa",
		PrivatePEM: []byte("PEM3"), Created: t0}), "PutDKIMKey other domain")
	err := s.PutDKIMKey(ctx, &store.DKIMKey{Domain: "lists.example.org", Selector: "s1", Algorithm: "rsa", PrivatePEM: []byte("X")})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("reused selector: %v, want ErrExists", err)
	}
	ks, err := s.DKIMKeys(ctx, "lists.example.org")
	must(t, err, "DKIMKeys")
	if len(ks) != 2 || ks[0].Selector != "s2" || ks[1].Selector != "s1" || string(ks[1].PrivatePEM) != "PEM1" ||
		ks[0].Algorithm != "ed25519" || !ks[1].Created.Equal(t0) {
		t.Fatalf("keys: %+v", ks)
	}
	none, err := s.DKIMKeys(ctx, "nokeys.example.org")
	if err != nil || len(none) != 0 {
		t.Fatalf("no keys: %v %v", none, err)
	}
}

// testListDeliverability: defaults until set, then what was set.
func testListDeliverability(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := mustList(t, s, "deliver@example.org")
	d, err := s.ListDeliverability(ctx, l.ID)
	must(t, err, "ListDeliverability")
	if *d != *store.DefaultDeliverability(l.ID) {
		t.Fatalf("defaults: %+v", d)
	}
	want := store.ListDeliverability{ListID: l.ID, DMARCAction: store.DMARCWrap, DMARCAlways: true, RemoveAfterWarnings: true}
	must(t, s.SetListDeliverability(ctx, &want), "SetListDeliverability")
	d, err = s.ListDeliverability(ctx, l.ID)
	must(t, err, "ListDeliverability")
	if *d != want {
		t.Fatalf("got %+v want %+v", d, want)
	}
	want.DMARCAction, want.DMARCAlways = store.DMARCNone, false
	must(t, s.SetListDeliverability(ctx, &want), "SetListDeliverability again")
	if d, _ = s.ListDeliverability(ctx, l.ID); *d != want {
		t.Fatalf("after update %+v", d)
	}
}

// testBounceWarnings: schedule, due by time, progress, restart, end, and
// the row goes with the member.
func testBounceWarnings(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := mustList(t, s, "warn@example.org")
	ms := addMembers(t, s, l.ID, []store.NewMember{{Address: "a@example.net"}, {Address: "b@example.net"}})
	a, b := ms["a@example.net"], ms["b@example.net"]
	t0 := time.UnixMilli(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	must(t, s.StartBounceWarnings(ctx, a.ID, l.ID, t0), "start a")
	must(t, s.StartBounceWarnings(ctx, b.ID, l.ID, t0.Add(time.Hour)), "start b")
	due, err := s.DueBounceWarnings(ctx, t0, 10)
	must(t, err, "due")
	if len(due) != 1 || due[0].MemberID != a.ID || due[0].ListID != l.ID || !due[0].NextAt.Equal(t0) {
		t.Fatalf("due at t0: %+v", due)
	}
	must(t, s.SetBounceWarning(ctx, a.ID, 1, t0.Add(7*24*time.Hour)), "set")
	due, _ = s.DueBounceWarnings(ctx, t0.Add(2*time.Hour), 10)
	if len(due) != 1 || due[0].MemberID != b.ID {
		t.Fatalf("due later: %+v", due)
	}
	due, _ = s.DueBounceWarnings(ctx, t0.Add(8*24*time.Hour), 10)
	if len(due) != 2 || due[1].MemberID != a.ID || due[1].Warnings != 1 {
		t.Fatalf("due a week on: %+v", due)
	}
	must(t, s.StartBounceWarnings(ctx, a.ID, l.ID, t0), "restart a")
	must(t, s.EndBounceWarnings(ctx, b.ID), "end b")
	_, err = s.RemoveMembers(ctx, l.ID, []string{"a@example.net"})
	must(t, err, "remove a")
	if due, _ = s.DueBounceWarnings(ctx, t0.Add(30*24*time.Hour), 10); len(due) != 0 {
		t.Fatalf("after end and removal: %+v", due)
	}
}
