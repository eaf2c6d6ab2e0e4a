package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

var archiveTests = []storeTest{
	{"ArchiveThreads", testArchiveThreads},
	{"ArchivePaging", testArchivePaging},
	{"ArchiveSearch", testArchiveSearch},
	{"ArchiveSearchPaging", testArchiveSearchPaging},
	{"ArchiveErasureNewUID", testArchiveErasureNewUID},
}

// archivePost stores an accepted post with the given threading headers.
func archivePost(t *testing.T, s store.Store, listID int64, subject, msgID, inReplyTo string) *store.Message {
	t.Helper()
	m := newMsg(listID, store.StateAccepted, subject)
	m.MessageID, m.InReplyTo = msgID, inReplyTo
	m.Raw = []byte("From: Sender <s@example.net>\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgID + ">\r\n\r\nbody\r\n")
	must(t, s.SaveIntake(t.Context(), []*store.Intake{{Message: m}}), "save intake")
	if m.UID == 0 {
		t.Fatal("accepted post got no UID")
	}
	return m
}

// docFor is what the archive indexer would extract (the tests give the
// body text and subject key directly).
func docFor(m *store.Message, body string) *store.ArchiveDoc {
	key := strings.ToLower(strings.TrimPrefix(m.Subject, "Re: "))
	d := &store.ArchiveDoc{MessageID: m.ID, ListID: m.ListID, Received: m.Received, Subject: m.Subject,
		SubjectKey: key, Reply: strings.HasPrefix(m.Subject, "Re: "), Author: m.FromName + " " + m.FromAddr, Body: body}
	if m.InReplyTo != "" {
		d.Parents = append(d.Parents, m.InReplyTo)
	}
	return d
}

// indexAll indexes every unindexed post with body text from bodies (by
// messages.id; "" otherwise) and returns how many there were.
func indexAll(t *testing.T, s store.Store, bodies map[int64]string) int {
	t.Helper()
	ms, err := s.ListUnindexedPosts(t.Context(), 1000)
	must(t, err, "unindexed posts")
	docs := make([]*store.ArchiveDoc, len(ms))
	for i, m := range ms {
		docs[i] = docFor(m, bodies[m.ID])
	}
	must(t, s.IndexArchive(t.Context(), docs), "index archive")
	return len(ms)
}

func testArchiveThreads(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "threads@example.org")
	other := mustList(t, s, "other-threads@example.org")
	root := archivePost(t, s, l.ID, "Budget", "root@x", "")
	byRef := archivePost(t, s, l.ID, "Re: Budget", "r1@x", "root@x")
	bySubject := archivePost(t, s, l.ID, "Re: Budget", "r2@x", "")
	alone := archivePost(t, s, l.ID, "Picnic", "p@x", "")
	sameSubjectNoRe := archivePost(t, s, l.ID, "Budget", "b2@x", "")
	// A reply in another list to a Message-ID of this one starts its own thread.
	elsewhere := archivePost(t, s, other.ID, "Re: Budget", "o@x", "root@x")
	held := newMsg(l.ID, store.StateHeld, "held")
	must(t, s.SaveIntake(ctx, []*store.Intake{{Message: held}}), "save held")
	if n := indexAll(t, s, nil); n < 6 {
		t.Fatalf("indexed %d posts, want at least 6 (held posts are not archived)", n)
	}
	if n := indexAll(t, s, nil); n != 0 {
		t.Fatalf("second pass found %d unindexed posts", n)
	}
	thread := func(m *store.Message) int64 {
		p, err := s.GetArchivedPost(ctx, m.ListID, m.UID)
		must(t, err, "archived post")
		if p.ThreadID == 0 {
			t.Fatalf("post %q has no thread", m.MessageID)
		}
		return p.ThreadID
	}
	if thread(byRef) != thread(root) || thread(bySubject) != thread(root) {
		t.Error("replies (by In-Reply-To and by Re: subject) are not in the root's thread")
	}
	if thread(alone) == thread(root) || thread(sameSubjectNoRe) == thread(root) || thread(elsewhere) == thread(root) {
		t.Error("an unrelated post, a new post with the same subject, or another list's reply joined the thread")
	}
	ts, err := s.ListArchiveThreads(ctx, l.ID, store.ArchiveKey{}, 10)
	must(t, err, "archive threads")
	if len(ts) != 3 {
		t.Fatalf("%d threads, want 3", len(ts))
	}
	var budget *store.ArchiveThread
	for _, th := range ts {
		if th.ID == thread(root) {
			budget = th
		}
	}
	if budget == nil || budget.Posts != 3 || budget.Subject != "Budget" || budget.RootID != root.ID {
		t.Fatalf("budget thread = %+v", budget)
	}
	ps, err := s.ListThreadPosts(ctx, budget.ID, store.ArchiveKey{}, 2)
	must(t, err, "thread posts")
	if len(ps) != 2 || ps[0].ID != root.ID || ps[1].ID != byRef.ID {
		t.Fatalf("thread page 1 = %v", postIDs(ps))
	}
	ps, err = s.ListThreadPosts(ctx, budget.ID, ps[1].Key(), 2)
	must(t, err, "thread posts page 2")
	if len(ps) != 1 || ps[0].ID != bySubject.ID {
		t.Fatalf("thread page 2 = %v", postIDs(ps))
	}
	got, err := s.GetArchiveThread(ctx, budget.ID)
	must(t, err, "get thread")
	if got.Posts != 3 || got.ListID != l.ID {
		t.Errorf("thread = %+v", got)
	}
	if _, err := s.GetArchiveThread(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing thread: %v", err)
	}
	ms, err := s.ListArchiveMonths(ctx, l.ID)
	must(t, err, "archive months")
	now := time.Now().UTC()
	if len(ms) != 1 || ms[0].Posts != 5 || ms[0].Year != root.Received.UTC().Year() || ms[0].Month != root.Received.UTC().Month() {
		t.Errorf("months = %+v (now %s)", ms, now)
	}
	uid, err := s.FindArchiveUID(ctx, l.ID, "r1@x")
	must(t, err, "uid by message-id")
	if uid != byRef.UID {
		t.Errorf("uid by message-id = %d, want %d", uid, byRef.UID)
	}
	if _, err := s.FindArchiveUID(ctx, l.ID, held.MessageID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a held post is found in the archive: %v", err)
	}
}

func postIDs(ps []*store.ArchivePost) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func testArchivePaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "paging@example.org")
	var want []int64
	for i := range 7 {
		m := archivePost(t, s, l.ID, fmt.Sprintf("post %d", i), fmt.Sprintf("pg%d@x", i), "")
		want = append(want, m.ID)
	}
	for _, desc := range []bool{false, true} {
		var got []int64
		p := store.ArchivePage{ListID: l.ID, Limit: 3, Desc: desc, Raw: true}
		for {
			ps, err := s.ListArchivePosts(ctx, p)
			must(t, err, "archive posts")
			if len(ps) == 0 {
				break
			}
			if len(ps[0].Raw) == 0 {
				t.Fatal("Raw asked for but empty")
			}
			got = append(got, postIDs(ps)...)
			p.After = ps[len(ps)-1].Key()
		}
		w := append([]int64(nil), want...)
		if desc {
			for i, j := 0, len(w)-1; i < j; i, j = i+1, j-1 {
				w[i], w[j] = w[j], w[i]
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("desc=%v: pages = %v, want %v", desc, got, w)
		}
	}
	// A month window that ends before the posts holds none of them.
	ps, err := s.ListArchivePosts(ctx, store.ArchivePage{ListID: l.ID, To: time.Now().Add(-24 * time.Hour), Limit: 10})
	must(t, err, "archive posts before")
	if len(ps) != 0 {
		t.Errorf("%d posts before yesterday", len(ps))
	}
	ps, err = s.ListArchivePosts(ctx, store.ArchivePage{ListID: l.ID, From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour), Limit: 10})
	must(t, err, "archive posts window")
	if len(ps) != 7 || len(ps[0].Raw) != 0 {
		t.Errorf("window: %d posts (raw %d bytes)", len(ps), len(ps[0].Raw))
	}
}

func words(ws ...string) store.SearchTerm { return store.SearchTerm{Words: ws} }

func hitIDs(hs []*store.ArchiveHit) []int64 {
	out := make([]int64, len(hs))
	for i, h := range hs {
		out[i] = h.Post.ID
	}
	return out
}

func testArchiveSearch(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "search@example.org")
	other := mustList(t, s, "search-other@example.org")
	inSubject := archivePost(t, s, l.ID, "Quarterly budget review", "s1@x", "")
	inBody := archivePost(t, s, l.ID, "Meeting notes", "s2@x", "")
	phrase := archivePost(t, s, l.ID, "Garden", "s3@x", "")
	otherList := archivePost(t, s, other.ID, "budget elsewhere", "s4@x", "")
	indexAll(t, s, map[int64]string{
		inSubject.ID: "Numbers attached.",
		inBody.ID:    "We talked about the budgets and the café.",
		phrase.ID:    "The red tomatoes grew well; tomatoes red again next year.",
		otherList.ID: "budget budget budget",
	})
	search := func(q store.ArchiveQuery) []int64 {
		t.Helper()
		hs, err := s.SearchArchive(ctx, l.ID, q, store.SearchCursor{}, 10)
		must(t, err, "search archive")
		return hitIDs(hs)
	}
	// Stemming (budgets), both fields, subject ranked first, one list only.
	if got := search(store.ArchiveQuery{Terms: []store.SearchTerm{words("budget")}}); fmt.Sprint(got) != fmt.Sprint([]int64{inSubject.ID, inBody.ID}) {
		t.Errorf("budget: %v, want [%d %d]", got, inSubject.ID, inBody.ID)
	}
	if got := search(store.ArchiveQuery{Terms: []store.SearchTerm{words("budget")}, Field: "subject"}); fmt.Sprint(got) != fmt.Sprint([]int64{inSubject.ID}) {
		t.Errorf("subject:budget: %v", got)
	}
	if got := search(store.ArchiveQuery{Terms: []store.SearchTerm{words("budget"), {Words: []string{"numbers"}, Not: true}}}); fmt.Sprint(got) != fmt.Sprint([]int64{inBody.ID}) {
		t.Errorf("budget -numbers: %v", got)
	}
	if got := search(store.ArchiveQuery{Terms: []store.SearchTerm{words("red", "tomatoes")}}); fmt.Sprint(got) != fmt.Sprint([]int64{phrase.ID}) {
		t.Errorf(`"red tomatoes": %v`, got)
	}
	if got := search(store.ArchiveQuery{Terms: []store.SearchTerm{words("tomatoes", "red", "tomatoes", "grew")}}); len(got) != 0 {
		t.Errorf("words out of order matched as a phrase: %v", got)
	}
	if got := search(store.ArchiveQuery{Terms: []store.SearchTerm{{Words: []string{"tomat"}, Prefix: true}}}); fmt.Sprint(got) != fmt.Sprint([]int64{phrase.ID}) {
		t.Errorf("tomat*: %v", got)
	}
	if got := search(store.ArchiveQuery{Terms: []store.SearchTerm{words("sender")}, Field: "author"}); len(got) != 3 {
		t.Errorf("author:sender: %v, want all 3 posts", got)
	}
	if got := search(store.ArchiveQuery{Terms: []store.SearchTerm{words("nothingmatches")}}); len(got) != 0 {
		t.Errorf("nonsense word matched %v", got)
	}
	_, err := s.SearchArchive(ctx, l.ID, store.ArchiveQuery{Terms: []store.SearchTerm{{Words: []string{"x"}, Not: true}}}, store.SearchCursor{}, 10)
	if !errors.Is(err, store.ErrBadQuery) {
		t.Errorf("only a negative term: %v, want ErrBadQuery", err)
	}
}

func testArchiveSearchPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "searchpages@example.org")
	bodies := map[int64]string{}
	var all []int64
	for i := range 9 {
		m := archivePost(t, s, l.ID, fmt.Sprintf("note %d", i), fmt.Sprintf("sp%d@x", i), "")
		// Different term frequencies give different ranks; i%3 gives ties.
		bodies[m.ID] = strings.Repeat("harvest ", 1+i%3) + "filler words here"
		all = append(all, m.ID)
	}
	indexAll(t, s, bodies)
	q := store.ArchiveQuery{Terms: []store.SearchTerm{words("harvest")}}
	seen := map[int64]bool{}
	var cur store.SearchCursor
	var last float64
	for page := 0; ; page++ {
		hs, err := s.SearchArchive(ctx, l.ID, q, cur, 2)
		must(t, err, "search page")
		if len(hs) == 0 {
			break
		}
		for _, h := range hs {
			if seen[h.Post.ID] {
				t.Fatalf("post %d on two pages", h.Post.ID)
			}
			if len(seen) > 0 && h.Rank < last {
				t.Fatalf("rank went down: %v after %v", h.Rank, last)
			}
			seen[h.Post.ID], last = true, h.Rank
		}
		cur = hs[len(hs)-1].Cursor()
		if page > 10 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != len(all) {
		t.Errorf("paged through %d hits, want %d", len(seen), len(all))
	}
	// Every match, in id order, for IMAP SEARCH.
	var got []int64
	for after := int64(0); ; {
		ps, err := s.SearchArchiveAll(ctx, l.ID, q, after, 4)
		must(t, err, "search all")
		if len(ps) == 0 {
			break
		}
		got = append(got, postIDs(ps)...)
		after = ps[len(ps)-1].ID
	}
	if fmt.Sprint(got) != fmt.Sprint(all) {
		t.Errorf("SearchArchiveAll = %v, want %v", got, all)
	}
	if _, err := s.SearchArchiveAll(ctx, l.ID, store.ArchiveQuery{}, 0, 4); !errors.Is(err, store.ErrBadQuery) {
		t.Errorf("empty query: %v", err)
	}
}

func testArchiveErasureNewUID(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "erasure-archive@example.org")
	// The member is in digest mode from the start: cursor at UID 0.
	addMembers(t, s, l.ID, []store.NewMember{{Address: "dig@x.org", Mode: store.ModeDigest}})
	m := archivePost(t, s, l.ID, "Secret plans", "e1@x", "")
	later := archivePost(t, s, l.ID, "Re: Secret plans", "e2@x", "e1@x")
	indexAll(t, s, map[int64]string{m.ID: "the zeppelin plans"})
	before, err := s.GetArchivedPost(ctx, l.ID, m.UID)
	must(t, err, "archived post")
	raw := []byte("From: former member <former-member@invalid>\r\nSubject: Secret plans\r\n\r\nthe zeppelin plans\r\n")
	must(t, s.AnonymisePost(ctx, m.ID, raw, "former member"), "anonymise")
	if _, err := s.GetArchivedPost(ctx, l.ID, m.UID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old UID %d still names a post: %v", m.UID, err)
	}
	newUID, err := s.FindMovedUID(ctx, l.ID, m.UID)
	must(t, err, "moved uid")
	if newUID <= later.UID {
		t.Fatalf("rewritten post got UID %d, want one above every earlier UID (%d)", newUID, later.UID)
	}
	after, err := s.GetArchivedPost(ctx, l.ID, newUID)
	must(t, err, "rewritten post")
	if string(after.Raw) != string(raw) || after.ID != m.ID || after.ThreadID != before.ThreadID || after.FromName != "former member" {
		t.Errorf("rewritten post = %+v", after)
	}
	ex, err := s.ListExpungedUIDs(ctx, l.ID, time.Now().Add(-time.Hour))
	must(t, err, "expunged uids")
	if len(ex) != 1 || ex[0].UID != m.UID || ex[0].NewUID != newUID {
		t.Errorf("expunged = %+v", ex)
	}
	if ex, _ := s.ListExpungedUIDs(ctx, l.ID, time.Now().Add(time.Hour)); len(ex) != 0 {
		t.Errorf("expunged after a later time: %+v", ex)
	}
	if _, err := s.FindMovedUID(ctx, l.ID, later.UID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an untouched UID is reported moved: %v", err)
	}
	// Re-indexed: the thread and month keep their counts.
	if n := indexAll(t, s, map[int64]string{m.ID: "the zeppelin plans"}); n != 1 {
		t.Fatalf("%d posts to re-index after erasure, want 1", n)
	}
	th, err := s.GetArchiveThread(ctx, before.ThreadID)
	must(t, err, "thread")
	if th.Posts != 2 {
		t.Errorf("thread has %d posts after re-indexing, want 2", th.Posts)
	}
	ms, err := s.ListArchiveMonths(ctx, l.ID)
	must(t, err, "months")
	if len(ms) != 1 || ms[0].Posts != 2 {
		t.Errorf("months after re-indexing: %+v", ms)
	}
	hs, err := s.SearchArchive(ctx, l.ID, store.ArchiveQuery{Terms: []store.SearchTerm{words("zeppelin")}}, store.SearchCursor{}, 10)
	must(t, err, "search")
	if len(hs) != 1 || hs[0].Post.UID != newUID {
		t.Errorf("search after erasure: %v", hitIDs(hs))
	}
	// A digest that already covered the old UID does not send it again;
	// one that had not yet still does.
	ds, err := s.DigestPosts(ctx, l.ID, later.UID, newUID, 10)
	must(t, err, "digest posts after the old uid")
	if len(ds) != 0 {
		t.Errorf("digest past the old UID would resend the rewritten post")
	}
	ds, err = s.DigestPosts(ctx, l.ID, 0, newUID, 10)
	must(t, err, "digest posts from 0")
	if len(ds) != 2 {
		t.Errorf("digest from the start has %d posts, want 2", len(ds))
	}
}
