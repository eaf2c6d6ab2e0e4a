package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

var bounceTests = []storeTest{
	{"BounceScore", testBounceScore},
	{"BounceDisableEnable", testBounceDisableEnable},
	{"BounceExpire", testBounceExpire},
	{"BounceConcurrent", testBounceConcurrent},
	{"BounceDigestPaused", testBounceDigestPaused},
}

func bounceMember(t *testing.T, s store.Store, list string) *store.Member {
	t.Helper()
	l := mustList(t, s, list)
	return addMembers(t, s, l.ID, []store.NewMember{{Address: "ann@example.net"}})["ann@example.net"]
}

// testBounceScore: permanent 1.0, temporary 0.5, one of each class per
// member per day; bounces older than the window stop counting.
func testBounceScore(t *testing.T, s store.Store) {
	ctx := context.Background()
	m := bounceMember(t, s, "score@example.org")
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	rec := func(at time.Time, perm bool) *store.BounceOutcome {
		t.Helper()
		o, err := s.RecordBounce(ctx, store.BounceEvent{MemberID: m.ID, Permanent: perm, At: at, Window: 7 * 24 * time.Hour, Threshold: 5})
		must(t, err, "RecordBounce")
		return o
	}
	steps := []struct {
		at      time.Time
		perm    bool
		counted bool
		score   float64
	}{
		{day, true, true, 1},
		{day.Add(time.Hour), true, false, 1},        // second permanent the same day
		{day.Add(2 * time.Hour), false, true, 1.5},  // one temporary too
		{day.Add(3 * time.Hour), false, false, 1.5}, // second temporary the same day
		{day.Add(24 * time.Hour), true, true, 2.5},
	}
	for i, st := range steps {
		o := rec(st.at, st.perm)
		if o.Counted != st.counted || o.Member.BounceScore != st.score || o.Disabled || o.Member.Status != store.StatusEnabled {
			t.Errorf("step %d: %+v, member %+v; want counted %v, score %v", i, o, o.Member, st.counted, st.score)
		}
	}
	// Eight days and an hour later, all of the above is older than the window.
	o := rec(day.Add(8*24*time.Hour+time.Hour), false)
	if o.Member.BounceScore != 0.5 {
		t.Errorf("after the window: score %v, want 0.5 (old bounces expired)", o.Member.BounceScore)
	}
	got, err := s.GetMemberByID(ctx, m.ID)
	must(t, err, "GetMemberByID")
	if got.BounceScore != 0.5 {
		t.Errorf("stored score %v, want 0.5", got.BounceScore)
	}
	if _, err := s.RecordBounce(ctx, store.BounceEvent{MemberID: m.ID + 1000, Permanent: true, At: day, Window: time.Hour, Threshold: 5}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordBounce of an unknown member: %v, want ErrNotFound", err)
	}
}

// testBounceDisableEnable: crossing the threshold disables delivery once
// (fan-out skips the member); EnableDelivery restores it with a clean score.
func testBounceDisableEnable(t *testing.T, s store.Store) {
	ctx := context.Background()
	m := bounceMember(t, s, "disable@example.org")
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	disabled := 0
	for d := range 6 {
		o, err := s.RecordBounce(ctx, store.BounceEvent{MemberID: m.ID, Permanent: true, At: start.Add(time.Duration(d) * 24 * time.Hour),
			Window: 7 * 24 * time.Hour, Threshold: 5})
		must(t, err, "RecordBounce")
		if o.Disabled {
			disabled++
			if d != 4 || o.Member.Status != store.StatusDisabledBounces {
				t.Errorf("disabled on day %d with %+v; want day 4 (score 5)", d, o.Member)
			}
		}
	}
	if disabled != 1 {
		t.Errorf("Disabled reported %d times, want once", disabled)
	}
	got, err := s.GetMemberByID(ctx, m.ID)
	must(t, err, "GetMemberByID")
	if got.Status != store.StatusDisabledBounces || got.BounceScore != 6 {
		t.Errorf("stored %+v, want disabled-bounces with score 6", got)
	}
	e, err := s.EnableDelivery(ctx, m.ID)
	must(t, err, "EnableDelivery")
	if e.Status != store.StatusEnabled || e.BounceScore != 0 {
		t.Errorf("after EnableDelivery: %+v", e)
	}
	// The old bounces are forgotten: one more is a score of 1.
	o, err := s.RecordBounce(ctx, store.BounceEvent{MemberID: m.ID, Permanent: true, At: start.Add(6 * 24 * time.Hour),
		Window: 7 * 24 * time.Hour, Threshold: 5})
	must(t, err, "RecordBounce")
	if o.Member.BounceScore != 1 || o.Disabled {
		t.Errorf("first bounce after re-enabling: %+v", o)
	}
	if _, err := s.EnableDelivery(ctx, m.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EnableDelivery of an unknown member: %v, want ErrNotFound", err)
	}
}

// testBounceExpire: ExpireBounces lowers the scores of old bounces.
func testBounceExpire(t *testing.T, s store.Store) {
	ctx := context.Background()
	m := bounceMember(t, s, "expire@example.org")
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, perm := range []bool{true, false} {
		_, err := s.RecordBounce(ctx, store.BounceEvent{MemberID: m.ID, Permanent: perm, At: at, Window: 7 * 24 * time.Hour, Threshold: 5})
		must(t, err, "RecordBounce")
	}
	_, err := s.RecordBounce(ctx, store.BounceEvent{MemberID: m.ID, Permanent: false, At: at.Add(3 * 24 * time.Hour), Window: 7 * 24 * time.Hour, Threshold: 5})
	must(t, err, "RecordBounce")
	n, err := s.ExpireBounces(ctx, at.Add(time.Hour))
	must(t, err, "ExpireBounces")
	got, err := s.GetMemberByID(ctx, m.ID)
	must(t, err, "GetMemberByID")
	if n != 1 || got.BounceScore != 0.5 {
		t.Errorf("ExpireBounces: %d members, score %v; want 1 and 0.5", n, got.BounceScore)
	}
	if n, err := s.ExpireBounces(ctx, at.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("second ExpireBounces: %d, %v; want 0", n, err)
	}
}

// testBounceConcurrent: bounces of different days recorded at once all
// count (the member's row is locked while the score is computed).
func testBounceConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	m := bounceMember(t, s, "concurrent@example.org")
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var mu sync.Mutex
	disabled := 0
	for d := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := s.RecordBounce(ctx, store.BounceEvent{MemberID: m.ID, Permanent: true, At: at.Add(time.Duration(d) * 24 * time.Hour),
				Window: 30 * 24 * time.Hour, Threshold: 5})
			if err != nil {
				t.Errorf("RecordBounce: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if o.Disabled {
				disabled++
			}
		}()
	}
	wg.Wait()
	got, err := s.GetMemberByID(ctx, m.ID)
	must(t, err, "GetMemberByID")
	if got.BounceScore != 6 || disabled != 1 || got.Status != store.StatusDisabledBounces {
		t.Errorf("score %v, disabled %d times, status %s; want 6, once, disabled-bounces", got.BounceScore, disabled, got.Status)
	}
}
