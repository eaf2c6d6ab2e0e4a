package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// opsTests cover what operator commands keep and change.
var opsTests = []storeTest{
	{"Settings", testSettings},
}

func testSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Setting(ctx, store.SettingBaseURL); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unset setting: err %v, want ErrNotFound", err)
	}
	for _, v := range []string{"http://127.0.0.1:8080", "https://lists.example.org"} {
		if err := s.SetSetting(ctx, store.SettingBaseURL, v); err != nil {
			t.Fatal(err)
		}
		got, err := s.Setting(ctx, store.SettingBaseURL)
		if err != nil || got != v {
			t.Fatalf("setting after set %q: %q, %v", v, got, err)
		}
	}
	// The secret lives in the same table and is not disturbed.
	a, err := s.Secret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "other", "x"); err != nil {
		t.Fatal(err)
	}
	b, err := s.Secret(ctx)
	if err != nil || string(a) != string(b) {
		t.Fatalf("secret changed by SetSetting: %v", err)
	}
}

func init() {
	opsTests = append(opsTests,
		storeTest{"UpdateMember", testUpdateMember},
		storeTest{"RemoveList", testRemoveList},
		storeTest{"PurgeList", testPurgeList},
	)
}

func testUpdateMember(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "team@x.org")
	addMembers(t, s, l.ID, []store.NewMember{{Address: "a@x.org"}})
	m, err := s.GetMember(ctx, l.ID, "a@x.org")
	must(t, err, "GetMember")
	m.Role, m.Mode, m.Name = store.RoleModerator, store.ModeNoMail, "Ann"
	must(t, s.UpdateMember(ctx, m, &store.Audit{Actor: "op", Action: "member-set", ListID: l.ID, Target: "a@x.org"}), "UpdateMember")
	got, err := s.GetMember(ctx, l.ID, "a@x.org")
	must(t, err, "GetMember")
	if got.Role != store.RoleModerator || got.Mode != store.ModeNoMail || got.Name != "Ann" {
		t.Errorf("after UpdateMember: %+v", got)
	}
	as, err := s.ListAudit(ctx, l.ID, 0, 10)
	must(t, err, "ListAudit")
	if len(as) != 1 || as[0].Action != "member-set" || as[0].Target != "a@x.org" {
		t.Errorf("audit after UpdateMember: %+v", as)
	}
	m.ID = 1 << 40
	wantErr(t, s.UpdateMember(ctx, m, &store.Audit{Actor: "op", Action: "member-set", ListID: l.ID}), store.ErrNotFound, "UpdateMember of nobody")
	if as, _ := s.ListAudit(ctx, l.ID, 0, 10); len(as) != 1 {
		t.Errorf("a failed UpdateMember was audited: %+v", as)
	}
}

// footprintList makes a list with two members, one archived post and one
// held post.
func footprintList(t *testing.T, s store.Store, addr string) *store.List {
	t.Helper()
	l := mustList(t, s, addr)
	addMembers(t, s, l.ID, []store.NewMember{{Address: "a@x.org"}, {Address: "b@x.org"}})
	intake(t, s, l.ID, store.StateAccepted, "kept")
	intake(t, s, l.ID, store.StateHeld, "waiting")
	return l
}

func testRemoveList(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := footprintList(t, s, "team@x.org")
	f, err := s.ListFootprint(ctx, l.ID)
	must(t, err, "ListFootprint")
	if f.Members != 2 || f.Held != 1 || f.Posts != 1 || f.ArchiveBytes == 0 {
		t.Errorf("footprint %+v", f)
	}
	must(t, s.RemoveList(ctx, l.ID, false, &store.Audit{Actor: "op", Action: "list-rm", Target: l.Address}), "RemoveList")
	if _, err := s.GetList(ctx, "team@x.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removed list still found: %v", err)
	}
	if ls, _ := s.AllLists(ctx); len(ls) != 0 {
		t.Errorf("AllLists after removal: %+v", ls)
	}
	f, err = s.ListFootprint(ctx, l.ID)
	must(t, err, "ListFootprint")
	if f.Members != 0 || f.Held != 0 || f.Posts != 1 {
		t.Errorf("after removal (archive kept): %+v", f)
	}
	wantErr(t, s.RemoveList(ctx, l.ID, false, &store.Audit{Actor: "op", Action: "list-rm"}), store.ErrNotFound, "removing twice")
	// The address is free again.
	mustList(t, s, "team@x.org")
	as, err := s.ListAudit(ctx, 0, 0, 10)
	must(t, err, "ListAudit")
	if len(as) == 0 || as[0].Action != "list-rm" || as[0].Target != "team@x.org" {
		t.Errorf("site audit after RemoveList: %+v", as)
	}
}

func testPurgeList(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := footprintList(t, s, "team@x.org")
	keep := footprintList(t, s, "other@x.org")
	must(t, s.RemoveList(ctx, l.ID, true, &store.Audit{Actor: "op", Action: "list-purge", Target: l.Address}), "RemoveList purge")
	if f, err := s.ListFootprint(ctx, l.ID); err != nil || *f != (store.ListFootprint{}) {
		t.Errorf("after purge: %+v %v", f, err)
	}
	if f, err := s.ListFootprint(ctx, keep.ID); err != nil || f.Members != 2 || f.Posts != 1 || f.Held != 1 {
		t.Errorf("purge touched another list: %+v %v", f, err)
	}
	wantErr(t, s.RemoveList(ctx, l.ID, true, &store.Audit{Actor: "op"}), store.ErrNotFound, "purging twice")
}

func init() {
	opsTests = append(opsTests, storeTest{"PendingOldest", testPendingOldest})
}

// testPendingOldest: the queue stats say how old the oldest open fan-out is.
func testPendingOldest(t *testing.T, s store.Store) {
	l := mustList(t, s, "p@x.org")
	addMembers(t, s, l.ID, []store.NewMember{{Address: "a@x.org"}})
	before := time.Now().Add(-time.Second)
	intake(t, s, l.ID, store.StateAccepted, "post")
	q := pending(t, s)
	if q.OldestFanout.Before(before) || q.OldestFanout.After(time.Now()) || !q.OldestRetry.IsZero() || !q.OldestMail.IsZero() {
		t.Errorf("pending oldest: %+v", q)
	}
}
