package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

var itemTests = []storeTest{
	{"ItemsRoundTrip", testItemsRoundTrip},
	{"ItemsList", testItemsList},
	{"ItemsLifecycle", testItemsLifecycle},
	{"NewsletterIssues", testNewsletterIssues},
	{"NewsletterSubscribers", testNewsletterSubscribers},
}

func newsletterList(t *testing.T, s store.Store, address string) *store.List {
	t.Helper()
	l := &store.List{Address: address, Name: "Weekly", Kind: store.KindNewsletter}
	must(t, s.CreateList(t.Context(), l), "create newsletter")
	must(t, s.SetNewsletter(t.Context(), &store.Newsletter{ListID: l.ID, Schedule: "Mon 08:00 Europe/London"}), "set newsletter")
	return l
}

func addItem(t *testing.T, s store.Store, it *store.Item) *store.Item {
	t.Helper()
	must(t, s.AddItem(t.Context(), it), "add item "+it.Title)
	if it.ID == 0 {
		t.Fatalf("add item %s: no id", it.Title)
	}
	return it
}

// testItemsRoundTrip: every field comes back; an update that changes
// something bumps SEQUENCE and LAST-MODIFIED, one that changes nothing
// does not; a state moves once.
func testItemsRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := newsletterList(t, s, "news@example.org")
	starts := time.Date(2027, 3, 28, 9, 30, 0, 0, time.UTC)
	it := addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemEvent, State: store.ItemApproved, Title: "Summit",
		Summary: "A day of talks", By: "Peers", Starts: starts, Ends: starts.Add(3 * time.Hour), Zone: "Europe/London",
		Location: "Cardiff", Region: "Wales", OnlineURL: "https://meet.example/x", BookingURL: "https://book.example/y",
		Topics: []string{" Housing", "housing", "Climate,Change"}, Submitter: "Ann@Example.NET", OrgName: "Ann's Org", Source: "web"})
	got, err := s.GetItem(ctx, it.ID)
	must(t, err, "get item")
	if got.Title != "Summit" || !got.Starts.Equal(starts) || !got.Ends.Equal(starts.Add(3*time.Hour)) || got.Zone != "Europe/London" ||
		got.Region != "Wales" || got.BookingURL != "https://book.example/y" || got.Submitter != "ann@example.net" ||
		got.OrgName != "Ann's Org" || got.Source != "web" || got.State != store.ItemApproved || got.Approved.IsZero() {
		t.Fatalf("round trip: %+v", got)
	}
	if !slices.Equal(got.Topics, []string{"housing", "climate change"}) {
		t.Errorf("topics = %q", got.Topics)
	}
	if got.Sequence != 0 || got.LastModified.IsZero() {
		t.Errorf("new item: sequence %d, last modified %v", got.Sequence, got.LastModified)
	}
	before := got.LastModified
	time.Sleep(3 * time.Millisecond)
	same := *got
	must(t, s.UpdateItem(ctx, &same), "update unchanged")
	if same.Sequence != 0 || !same.LastModified.Equal(before) {
		t.Errorf("unchanged update bumped: sequence %d, last modified %v", same.Sequence, same.LastModified)
	}
	got.Starts = starts.Add(time.Hour)
	must(t, s.UpdateItem(ctx, got), "update")
	again, err := s.GetItem(ctx, it.ID)
	must(t, err, "get again")
	if again.Sequence != 1 || !again.LastModified.After(before) || !again.Starts.Equal(starts.Add(time.Hour)) {
		t.Errorf("after update: sequence %d, last modified %v (was %v), starts %v", again.Sequence, again.LastModified, before, again.Starts)
	}
	p := addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemAsk, Title: "Need a hall"})
	if p.State != store.ItemPending || !p.Approved.IsZero() {
		t.Fatalf("default state %q approved %v", p.State, p.Approved)
	}
	a, err := s.SetItemState(ctx, p.ID, []string{store.ItemPending}, store.ItemApproved)
	must(t, err, "approve")
	if a.State != store.ItemApproved || a.Approved.IsZero() {
		t.Errorf("approved: %+v", a)
	}
	b, err := s.SetItemState(ctx, p.ID, []string{store.ItemPending}, store.ItemRejected)
	wantErr(t, err, store.ErrAlreadyHandled, "second action")
	if b == nil || b.State != store.ItemApproved {
		t.Errorf("second action returned %+v, want the approved item", b)
	}
	_, err = s.GetItem(ctx, 99999)
	wantErr(t, err, store.ErrNotFound, "missing item")
}

// testItemsList: filters by kind, state, topic and time; events page by
// start time with a keyset; newest first otherwise.
func testItemsList(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := newsletterList(t, s, "news@example.org")
	other := newsletterList(t, s, "other@example.org")
	base := time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC)
	var evs []int64
	for i := range 5 {
		// Added in reverse date order: the listing must sort by start.
		it := addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemEvent, State: store.ItemApproved,
			Title: "ev", Starts: base.Add(time.Duration(4-i) * 24 * time.Hour)})
		evs = append([]int64{it.ID}, evs...)
	}
	addItem(t, s, &store.Item{ListID: other.ID, Kind: store.ItemEvent, State: store.ItemApproved, Title: "elsewhere", Starts: base})
	r := addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemResearch, State: store.ItemApproved, Title: "paper", Topics: []string{"Energy"}})
	addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemResearch, State: store.ItemPending, Title: "draft", Topics: []string{"energy"}})

	f := store.ItemFilter{ListID: l.ID, Kinds: []string{store.ItemEvent}, Order: store.OrderStarts}
	var got []int64
	for {
		page, err := s.ListItems(ctx, f, 2)
		must(t, err, "list events")
		for _, it := range page {
			got = append(got, it.ID)
		}
		if len(page) < 2 {
			break
		}
		f.AfterID, f.AfterStart = page[len(page)-1].ID, page[len(page)-1].Starts
	}
	if !slices.Equal(got, evs) {
		t.Errorf("events by start = %v, want %v", got, evs)
	}
	win, err := s.ListItems(ctx, store.ItemFilter{ListID: l.ID, Kinds: []string{store.ItemEvent}, Order: store.OrderStarts,
		StartsFrom: base.Add(24 * time.Hour), StartsBefore: base.Add(3 * 24 * time.Hour)}, 10)
	must(t, err, "window")
	if len(win) != 2 || win[0].ID != evs[1] || win[1].ID != evs[2] {
		t.Errorf("window: got %d items", len(win))
	}
	all, err := s.ListItems(ctx, store.ItemFilter{Kinds: []string{store.ItemEvent}}, 100)
	must(t, err, "all newsletters")
	if len(all) != 6 {
		t.Errorf("events of every newsletter: %d, want 6", len(all))
	}
	top, err := s.ListItems(ctx, store.ItemFilter{Topic: "ENERGY", States: []string{store.ItemApproved, store.ItemPublished}}, 10)
	must(t, err, "topic")
	if len(top) != 1 || top[0].ID != r.ID {
		t.Errorf("topic energy, live: %d items", len(top))
	}
	newest, err := s.ListItems(ctx, store.ItemFilter{ListID: l.ID}, 3)
	must(t, err, "newest")
	if len(newest) != 3 || newest[0].ID <= newest[1].ID || newest[1].ID <= newest[2].ID {
		t.Fatalf("newest first: %d items", len(newest))
	}
	next, err := s.ListItems(ctx, store.ItemFilter{ListID: l.ID, AfterID: newest[2].ID}, 100)
	must(t, err, "newest page 2")
	if len(next) != 4 || next[0].ID >= newest[2].ID {
		t.Errorf("second page: %d items", len(next))
	}
}

// testItemsLifecycle: asks and offers expire after closing; the
// reminder and a match are recorded (and their mail queued) once; an
// extension re-opens an expired ask with a new closing date.
func testItemsLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := newsletterList(t, s, "news@example.org")
	now := time.Now().Truncate(time.Millisecond)
	closes := now.Add(2 * 24 * time.Hour)
	ask := addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemAsk, State: store.ItemApproved, Title: "Need a hall",
		Closes: closes, Submitter: "ann@example.net"})
	offer := addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemOffer, State: store.ItemPublished, Title: "Hall free",
		Closes: now.Add(-time.Hour), Submitter: "bob@example.net"})
	ev := addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemEvent, State: store.ItemApproved, Title: "Old event",
		Starts: now.Add(-48 * time.Hour), Closes: now.Add(-time.Hour)})
	n, err := s.ExpireItems(ctx, now)
	must(t, err, "expire")
	if n != 1 {
		t.Errorf("expired %d, want 1 (the offer)", n)
	}
	for id, want := range map[int64]string{ask.ID: store.ItemApproved, offer.ID: store.ItemExpired, ev.ID: store.ItemApproved} {
		got, err := s.GetItem(ctx, id)
		must(t, err, "get")
		if got.State != want {
			t.Errorf("item %d state %q, want %q", id, got.State, want)
		}
	}
	mail := func(to string) *store.QueuedMail {
		return &store.QueuedMail{From: "news-bounces@example.org", To: to, Raw: []byte("Subject: x\r\n\r\nx\r\n")}
	}
	queued := func() int64 {
		q, err := s.Pending(ctx)
		must(t, err, "pending")
		return q.Mail
	}
	ok, err := s.RemindItem(ctx, ask.ID, closes, mail("ann@example.net"))
	must(t, err, "remind")
	ok2, err := s.RemindItem(ctx, ask.ID, closes, mail("ann@example.net"))
	must(t, err, "remind again")
	if !ok || ok2 || queued() != 1 {
		t.Errorf("remind: first %v, second %v, queued %d; want true, false, 1", ok, ok2, queued())
	}
	ok, err = s.MatchItems(ctx, ask.ID, offer.ID, []*store.QueuedMail{mail("ann@example.net"), mail("bob@example.net")})
	must(t, err, "match")
	ok2, err = s.MatchItems(ctx, ask.ID, offer.ID, []*store.QueuedMail{mail("ann@example.net"), mail("bob@example.net")})
	must(t, err, "match again")
	if !ok || ok2 || queued() != 3 {
		t.Errorf("match: first %v, second %v, queued %d; want true, false, 3", ok, ok2, queued())
	}
	later := now.Add(14 * 24 * time.Hour)
	ext, err := s.ExtendItem(ctx, offer.ID, later)
	must(t, err, "extend expired offer")
	if ext.State != store.ItemPublished || !ext.Closes.Equal(later) || ext.Sequence != 1 {
		t.Errorf("extended: state %q closes %v sequence %d", ext.State, ext.Closes, ext.Sequence)
	}
	// A new closing date earns a new reminder.
	ok, err = s.RemindItem(ctx, offer.ID, later, nil)
	must(t, err, "remind extended")
	if !ok {
		t.Error("no reminder for the new closing date")
	}
	w, err := s.SetItemState(ctx, ask.ID, []string{store.ItemApproved, store.ItemPublished}, store.ItemWithdrawn)
	must(t, err, "withdraw")
	_, err = s.ExtendItem(ctx, w.ID, later)
	wantErr(t, err, store.ErrAlreadyHandled, "extend withdrawn")
}

// testNewsletterIssues: issues are numbered per newsletter, only one is
// sent at a time, the cursor moves only from where it was (a second
// sender queues nothing), and finishing publishes the approved items.
func testNewsletterIssues(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := newsletterList(t, s, "news@example.org")
	due := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	must(t, s.SetNewsletter(ctx, &store.Newsletter{ListID: l.ID, Schedule: "Mon 08:00 Europe/London", Intro: "Hello", NextDue: due}), "schedule")
	n, err := s.GetNewsletter(ctx, l.ID)
	must(t, err, "get newsletter")
	if n.Weeks != 6 || n.Intro != "Hello" || !n.NextDue.Equal(due) {
		t.Errorf("newsletter: %+v", n)
	}
	if ds, err := s.DueNewsletters(ctx, due.Add(-time.Minute)); err != nil || len(ds) != 0 {
		t.Errorf("due a minute early: %d %v", len(ds), err)
	}
	ds, err := s.DueNewsletters(ctx, due)
	must(t, err, "due")
	if len(ds) != 1 || ds[0].ListID != l.ID {
		t.Fatalf("due: %d", len(ds))
	}
	if at, ok, err := s.NextNewsletterDue(ctx); err != nil || !ok || !at.Equal(due) {
		t.Errorf("next due %v %v %v", at, ok, err)
	}
	_, err = s.GetNewsletter(ctx, l.ID+1000)
	wantErr(t, err, store.ErrNotFound, "no newsletter")
	_, err = s.LastIssue(ctx, l.ID)
	wantErr(t, err, store.ErrNotFound, "no issue yet")

	it := addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemResearch, State: store.ItemApproved, Title: "paper"})
	next := due.Add(7 * 24 * time.Hour)
	is, err := s.CreateIssue(ctx, &store.NewsletterIssue{ListID: l.ID, Intro: "Hello", ItemIDs: []int64{it.ID}, Date: due}, next)
	must(t, err, "create issue")
	if is.Number != 1 || is.State != store.IssueSending {
		t.Fatalf("issue: %+v", is)
	}
	n, _ = s.GetNewsletter(ctx, l.ID)
	if n.Intro != "" || !n.NextDue.Equal(next) {
		t.Errorf("after issue: intro %q next %v", n.Intro, n.NextDue)
	}
	open, err := s.CreateIssue(ctx, &store.NewsletterIssue{ListID: l.ID, Date: due}, next)
	wantErr(t, err, store.ErrExists, "second issue while sending")
	if open == nil || open.ID != is.ID {
		t.Errorf("open issue returned: %+v", open)
	}
	m := &store.QueuedMail{From: "b@example.org", To: "ann@example.net", Raw: []byte("x\r\n")}
	must(t, s.QueueIssue(ctx, is.ID, 0, 10, []*store.QueuedMail{m}), "queue batch")
	wantErr(t, s.QueueIssue(ctx, is.ID, 0, 10, []*store.QueuedMail{m}), store.ErrLeaseLost, "same batch again")
	if q, _ := s.Pending(ctx); q.Mail != 1 {
		t.Errorf("queued mail %d, want 1", q.Mail)
	}
	got, err := s.SendingIssue(ctx, l.ID)
	must(t, err, "sending issue")
	if got.Cursor != 10 || got.SentCount != 1 || !slices.Equal(got.ItemIDs, []int64{it.ID}) || got.Intro != "Hello" || !got.Date.Equal(due) {
		t.Errorf("sending issue: %+v", got)
	}
	must(t, s.FinishIssue(ctx, is.ID, due.Add(time.Minute)), "finish")
	must(t, s.FinishIssue(ctx, is.ID, due.Add(2*time.Minute)), "finish twice")
	_, err = s.SendingIssue(ctx, l.ID)
	wantErr(t, err, store.ErrNotFound, "nothing sending")
	if p, _ := s.GetItem(ctx, it.ID); p.State != store.ItemPublished {
		t.Errorf("item after issue: %q", p.State)
	}
	last, err := s.LastIssue(ctx, l.ID)
	must(t, err, "last issue")
	if last.State != store.IssueSent || !last.Sent.Equal(due.Add(time.Minute)) {
		t.Errorf("last: %+v", last)
	}
	is2, err := s.CreateIssue(ctx, &store.NewsletterIssue{ListID: l.ID, Date: next}, time.Time{})
	must(t, err, "issue 2")
	if is2.Number != 2 {
		t.Errorf("second number %d", is2.Number)
	}
	if n, _ := s.GetNewsletter(ctx, l.ID); !n.NextDue.IsZero() {
		t.Errorf("unscheduled: next due %v", n.NextDue)
	}
	list, err := s.ListIssues(ctx, l.ID, 0, 10)
	must(t, err, "list issues")
	if len(list) != 2 || list[0].Number != 2 {
		t.Errorf("issues: %d", len(list))
	}
	if g, err := s.GetIssue(ctx, l.ID, 1); err != nil || g.ID != is.ID {
		t.Errorf("get issue 1: %v", err)
	}
}

// testNewsletterSubscribers: members who get mail, with their profile's
// format and sections, in id order.
func testNewsletterSubscribers(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := newsletterList(t, s, "news@example.org")
	ms := addMembers(t, s, l.ID, []store.NewMember{{Address: "ann@x.org"}, {Address: "bob@x.org"}, {Address: "cat@x.org", Mode: store.ModeNoMail}})
	p := store.DefaultPerson("Bob@x.org")
	p.Format, p.Sections = store.FormatPlain, []string{"events", "asks"}
	must(t, s.SavePerson(ctx, p), "save person")
	var got []*store.Subscriber
	after := int64(0)
	for {
		page, err := s.NewsletterSubscribers(ctx, l.ID, after, 1)
		must(t, err, "subscribers")
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		after = page[len(page)-1].Member.ID
	}
	if len(got) != 2 {
		t.Fatalf("subscribers: %d, want 2 (not the one on holiday)", len(got))
	}
	if got[0].Member.ID != ms["ann@x.org"].ID || got[0].Format != store.FormatHTML || len(got[0].Sections) != 0 {
		t.Errorf("ann: %+v", got[0])
	}
	if got[1].Format != store.FormatPlain || !slices.Equal(got[1].Sections, []string{"events", "asks"}) {
		t.Errorf("bob: %+v", got[1])
	}
}
