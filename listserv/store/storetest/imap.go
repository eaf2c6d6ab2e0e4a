package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// imapTests cover what the IMAP server and IMAP ingestion keep.
var imapTests = []storeTest{
	{"AppPasswords", testAppPasswords},
	{"IMAPArchive", testIMAPArchive},
	{"IMAPSearch", testIMAPSearch},
	{"IMAPFlags", testIMAPFlags},
	{"IMAPFetched", testIMAPFetched},
}

// testAppPasswords: passwords are per normalised address, listed oldest
// first with their hash, touched on use, and revoked only by their owner.
func testAppPasswords(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := &store.AppPassword{Address: " Ann@Example.NET ", Name: "phone", Hash: "$argon2id$a"}
	must(t, s.CreateAppPassword(ctx, a), "create")
	b := &store.AppPassword{Address: "ann@example.net", Name: "laptop", Hash: "$argon2id$b"}
	must(t, s.CreateAppPassword(ctx, b), "create second")
	must(t, s.CreateAppPassword(ctx, &store.AppPassword{Address: "bob@example.net", Name: "x", Hash: "h"}), "create bob")
	if a.ID == 0 || b.ID <= a.ID || a.Address != "ann@example.net" {
		t.Fatalf("ids %d %d, address %q", a.ID, b.ID, a.Address)
	}
	ps, err := s.ListAppPasswords(ctx, "ANN@example.net")
	must(t, err, "list")
	if len(ps) != 2 || ps[0].Name != "phone" || ps[1].Hash != "$argon2id$b" || !ps[0].LastUsed.IsZero() {
		t.Fatalf("list = %+v %+v", ps[0], ps[len(ps)-1])
	}
	at := time.UnixMilli(time.Now().UnixMilli())
	must(t, s.TouchAppPassword(ctx, a.ID, at), "touch")
	wantErr(t, s.DeleteAppPassword(ctx, "bob@example.net", a.ID), store.ErrNotFound, "bob revoking ann's")
	must(t, s.DeleteAppPassword(ctx, "ann@example.net", b.ID), "revoke")
	ps, err = s.ListAppPasswords(ctx, "ann@example.net")
	must(t, err, "list after")
	if len(ps) != 1 || ps[0].ID != a.ID || !ps[0].LastUsed.Equal(at) {
		t.Fatalf("after revoke: %+v", ps)
	}
	wantErr(t, s.DeleteAppPassword(ctx, "ann@example.net", b.ID), store.ErrNotFound, "second revoke")
	// Erasing a person takes their app passwords and IMAP flags too.
	l := mustList(t, s, "team@example.org")
	m := intake(t, s, l.ID, store.StateAccepted, "post").Message
	must(t, s.SetIMAPFlags(ctx, "ann@example.net", l.ID, []*store.IMAPFlags{{UID: m.UID, Seen: true}}), "flag")
	_, err = s.EraseAddress(ctx, "ann@example.net")
	must(t, err, "erase")
	if ps, err := s.ListAppPasswords(ctx, "ann@example.net"); err != nil || len(ps) != 0 {
		t.Errorf("after erasure: %d app passwords, %v", len(ps), err)
	}
	if fs, err := s.IMAPFlags(ctx, "ann@example.net", l.ID, 0, m.UID); err != nil || len(fs) != 0 {
		t.Errorf("after erasure: %d flag rows, %v", len(fs), err)
	}
	if ps, err := s.ListAppPasswords(ctx, "bob@example.net"); err != nil || len(ps) != 1 {
		t.Errorf("bob's app password after ann's erasure: %d, %v", len(ps), err)
	}
}

// archiveOf stores posts (accepted and one held) and returns the accepted.
func archiveOf(t *testing.T, s store.Store, listID int64, subjects ...string) []*store.Message {
	t.Helper()
	var out []*store.Message
	for _, subj := range subjects {
		out = append(out, intake(t, s, listID, store.StateAccepted, subj).Message)
	}
	intake(t, s, listID, store.StateHeld, "held, not archived")
	return out
}

// testIMAPArchive: status, UID paging and loading by UID see accepted
// posts only, byte for byte, per list.
func testIMAPArchive(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "team@example.org")
	other := mustList(t, s, "other@example.org")
	ms := archiveOf(t, s, l.ID, "one", "two", "three")
	archiveOf(t, s, other.ID, "elsewhere")
	st, err := s.ArchiveStatus(ctx, l.ID)
	must(t, err, "status")
	var size int64
	for _, m := range ms {
		size += int64(len(m.Raw))
	}
	if st.Count != 3 || st.UIDNext != ms[2].UID+1 || st.Size != size {
		t.Fatalf("status = %+v, want 3 posts, next %d, %d bytes", st, ms[2].UID+1, size)
	}
	uids, err := s.ArchiveUIDs(ctx, l.ID, 0, 2)
	must(t, err, "uids")
	more, err := s.ArchiveUIDs(ctx, l.ID, uids[len(uids)-1], 2)
	must(t, err, "uids page 2")
	if got := append(uids, more...); !slices.Equal(got, []int64{ms[0].UID, ms[1].UID, ms[2].UID}) {
		t.Fatalf("uids = %v", got)
	}
	got, err := s.ArchiveMessages(ctx, l.ID, []int64{ms[2].UID, 999, ms[0].UID}, true)
	must(t, err, "messages")
	if len(got) != 2 || got[0].UID != ms[0].UID || !bytes.Equal(got[1].Raw, ms[2].Raw) || got[1].Subject != "three" {
		t.Fatalf("messages = %d, first uid %d", len(got), got[0].UID)
	}
	meta, err := s.ArchiveMessages(ctx, l.ID, []int64{ms[1].UID}, false)
	must(t, err, "meta")
	if len(meta) != 1 || meta[0].Raw != nil || meta[0].Size != int64(len(ms[1].Raw)) || meta[0].Received.IsZero() {
		t.Fatalf("meta = %+v", meta)
	}
	if none, err := s.ArchiveMessages(ctx, other.ID, []int64{ms[0].UID + 100}, true); err != nil || len(none) != 0 {
		t.Fatalf("other list by a uid it lacks: %d, %v", len(none), err)
	}
}

// testIMAPSearch: each filter field narrows in SQL, case-insensitively,
// with LIKE's own characters taken literally.
func testIMAPSearch(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "team@example.org")
	ms := archiveOf(t, s, l.ID, "Budget 100% agreed", "Budget 1000 pending", "Minutes")
	uid := func(i ...int) []int64 {
		var out []int64
		for _, j := range i {
			out = append(out, ms[j].UID)
		}
		return out
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	for _, c := range []struct {
		name string
		f    store.ArchiveFilter
		want []int64
	}{
		{"all", store.ArchiveFilter{}, uid(0, 1, 2)},
		{"subject", store.ArchiveFilter{Subject: "BUDGET"}, uid(0, 1)},
		{"percent literal", store.ArchiveFilter{Subject: "100%"}, uid(0)},
		{"underscore literal", store.ArchiveFilter{Subject: "budget_"}, nil},
		{"from address", store.ArchiveFilter{From: ms[1].FromAddr}, uid(1)},
		{"from name", store.ArchiveFilter{From: "sENDER"}, uid(0, 1, 2)},
		{"since today", store.ArchiveFilter{Since: day}, uid(0, 1, 2)},
		{"since tomorrow", store.ArchiveFilter{Since: day.Add(24 * time.Hour)}, nil},
		{"before today", store.ArchiveFilter{Before: day}, nil},
		{"sent before tomorrow", store.ArchiveFilter{SentBefore: day.Add(24 * time.Hour), Subject: "minutes"}, uid(2)},
		{"larger", store.ArchiveFilter{Larger: int64(len(ms[2].Raw))}, uid(0, 1)},
		{"smaller", store.ArchiveFilter{Smaller: int64(len(ms[2].Raw) + 1)}, uid(2)},
	} {
		got, err := s.SearchUIDs(ctx, l.ID, c.f)
		must(t, err, c.name)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// testIMAPFlags: flags are per reader and list, upserted, removed when
// cleared, and counted only for posts still archived.
func testIMAPFlags(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "team@example.org")
	ms := archiveOf(t, s, l.ID, "a", "b", "c")
	u0, u1, u2 := ms[0].UID, ms[1].UID, ms[2].UID
	must(t, s.SetIMAPFlags(ctx, "Ann@example.net", l.ID, []*store.IMAPFlags{
		{UID: u0, Seen: true}, {UID: u1, Flagged: true}, {UID: u2, Seen: true, Flagged: true}}), "set")
	must(t, s.SetIMAPFlags(ctx, "bob@example.net", l.ID, []*store.IMAPFlags{{UID: u1, Seen: true}}), "set bob")
	must(t, s.SetIMAPFlags(ctx, "ann@example.net", l.ID, []*store.IMAPFlags{{UID: u2, Flagged: true}}), "update")
	fs, err := s.IMAPFlags(ctx, "ann@example.net", l.ID, u1, u2)
	must(t, err, "read range")
	if len(fs) != 2 || fs[0].UID != u1 || fs[0].Seen || !fs[0].Flagged || fs[1].Seen || !fs[1].Flagged {
		t.Fatalf("ann's flags on %d..%d = %+v %+v", u1, u2, fs[0], fs[len(fs)-1])
	}
	n, err := s.CountIMAPSeen(ctx, "ann@example.net", l.ID)
	must(t, err, "count")
	if n != 1 {
		t.Errorf("ann has seen %d, want 1", n)
	}
	must(t, s.SetIMAPFlags(ctx, "ann@example.net", l.ID, []*store.IMAPFlags{{UID: u0}}), "clear")
	fs, err = s.IMAPFlags(ctx, "ann@example.net", l.ID, 0, u2)
	must(t, err, "read all")
	if len(fs) != 2 || fs[0].UID != u1 {
		t.Errorf("after clearing %d: %+v", u0, fs)
	}
	bob, err := s.IMAPFlags(ctx, "BOB@example.net", l.ID, 0, u2)
	must(t, err, "bob")
	if len(bob) != 1 || !bob[0].Seen || bob[0].UID != u1 {
		t.Errorf("bob's flags = %+v", bob)
	}
	// A seen row for a UID the archive does not have is not counted.
	must(t, s.SetIMAPFlags(ctx, "bob@example.net", l.ID, []*store.IMAPFlags{{UID: u2 + 50, Seen: true}}), "stray")
	if n, err := s.CountIMAPSeen(ctx, "bob@example.net", l.ID); err != nil || n != 1 {
		t.Errorf("bob seen = %d, %v; want 1", n, err)
	}
}

// testIMAPFetched: a hosted mailbox's message is marked once per
// (source, UIDVALIDITY, UID), the first outcome stays, and the high-water
// mark is per UIDVALIDITY; a list's fetch URL is set, replaced and cleared.
func testIMAPFetched(t *testing.T, s store.Store) {
	ctx := t.Context()
	const src = "imaps://lists@mail.example.net:993/INBOX"
	_, err := s.Fetched(ctx, src, 7, 1)
	wantErr(t, err, store.ErrNotFound, "not fetched yet")
	must(t, s.MarkFetched(ctx, src, 7, 1, "accepted"), "mark")
	must(t, s.MarkFetched(ctx, src, 7, 1, "duplicate"), "mark again")
	must(t, s.MarkFetched(ctx, src, 7, 3, "held"), "mark 3")
	must(t, s.MarkFetched(ctx, src, 8, 1, "accepted"), "mark new validity")
	if o, err := s.Fetched(ctx, src, 7, 1); err != nil || o != "accepted" {
		t.Errorf("outcome = %q, %v; want the first, accepted", o, err)
	}
	for _, c := range []struct {
		v, want uint32
	}{{7, 3}, {8, 1}, {9, 0}} {
		if got, err := s.LastFetched(ctx, src, c.v); err != nil || got != c.want {
			t.Errorf("LastFetched(%d) = %d, %v; want %d", c.v, got, err, c.want)
		}
	}
	if got, err := s.LastFetched(ctx, "imaps://other@x/INBOX", 7); err != nil || got != 0 {
		t.Errorf("other source = %d, %v", got, err)
	}
	l := mustList(t, s, "team@example.org")
	l2 := mustList(t, s, "two@example.org")
	must(t, s.SetListFetch(ctx, l.ID, "imaps://a:b@h/INBOX"), "set")
	must(t, s.SetListFetch(ctx, l.ID, "imaps://a:c@h/INBOX"), "replace")
	must(t, s.SetListFetch(ctx, l2.ID, "imap://x:y@h/Lists"), "set two")
	fs, err := s.ListFetches(ctx)
	must(t, err, "list")
	if len(fs) != 2 || fs[0].ListID != l.ID || fs[0].URL != "imaps://a:c@h/INBOX" {
		t.Fatalf("fetches = %+v", fs)
	}
	must(t, s.SetListFetch(ctx, l2.ID, ""), "clear")
	if fs, err := s.ListFetches(ctx); err != nil || len(fs) != 1 {
		t.Errorf("after clear: %+v, %v", fs, err)
	}
}
