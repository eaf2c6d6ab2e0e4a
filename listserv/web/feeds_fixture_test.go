package web_test

import (
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// feedFixture is a store with items of every kind and state, for the
// calendar, feed and page tests. Events fall next year on both sides of
// London's clock changes, so they stay upcoming whenever the test runs.
type feedFixture struct {
	news, other, team *store.List
	// Events: after the March change (Wales, in person), after the
	// October change (Scotland, hybrid, other newsletter), before the
	// March change (online), all day, ended 10 days ago, ended 60 days
	// ago, pending, withdrawn.
	march, october, online, allDay, recent, old, pending, withdrawn *store.Item
	turnout, housing, draft                                         *store.Item // research
	ask, offer, lapsed, expired                                     *store.Item // asks and offers
}

var london, _ = time.LoadLocation("Europe/London")

// lastSunday is the last Sunday of month m in year y.
func lastSunday(y int, m time.Month) time.Time {
	d := time.Date(y, m+1, 0, 0, 0, 0, 0, london)
	return d.AddDate(0, 0, -int(d.Weekday()))
}

func newsletterOf(t *testing.T, st store.Store, address string) *store.List {
	t.Helper()
	l := &store.List{Address: address, Name: "Weekly " + address[:4], Kind: store.KindNewsletter}
	if err := st.CreateList(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	if err := st.SetNewsletter(t.Context(), &store.Newsletter{ListID: l.ID}); err != nil {
		t.Fatal(err)
	}
	return l
}

func seedFeeds(t *testing.T, st store.Store) *feedFixture {
	t.Helper()
	ctx := t.Context()
	f := &feedFixture{news: newsletterOf(t, st, "news@lists.example.org"), other: newsletterOf(t, st, "other@lists.example.org"),
		team: &store.List{Address: "team@lists.example.org", Name: "Team"}}
	if err := st.CreateList(ctx, f.team); err != nil {
		t.Fatal(err)
	}
	add := func(it *store.Item) *store.Item {
		t.Helper()
		if it.ListID == 0 {
			it.ListID = f.news.ID
		}
		if it.State == "" {
			it.State = store.ItemApproved
		}
		if err := st.AddItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		return it
	}
	event := func(title string, starts time.Time, d time.Duration) *store.Item {
		return &store.Item{Kind: store.ItemEvent, Title: title, Starts: starts, Ends: starts.Add(d), Zone: "Europe/London"}
	}
	y := time.Now().Year() + 1
	spring, autumn := lastSunday(y, time.March), lastSunday(y, time.October)

	it := event("Assembly after the clocks go forward", spring.AddDate(0, 0, 1).Add(18*time.Hour), 2*time.Hour)
	it.Location, it.Region, it.OrgName, it.By = "Cardiff", "Wales", "Democracy Lab", "Democracy Lab"
	f.march = add(it)
	it = event("Hustings after the clocks go back", autumn.AddDate(0, 0, 1).Add(10*time.Hour+30*time.Minute), 90*time.Minute)
	it.Location, it.Region, it.OnlineURL, it.ListID, it.State = "Leith", "scotland", "https://meet.example/h", f.other.ID, store.ItemPublished
	f.october = add(it)
	it = event("Online briefing before the change", spring.AddDate(0, 0, -1).Add(18*time.Hour), time.Hour)
	it.OnlineURL, it.Region = "https://meet.example/b", "North East" // as the submission form names it
	f.online = add(it)
	it = event("Spring fair", spring, 24*time.Hour)
	it.AllDay, it.Location = true, "Leeds"
	f.allDay = add(it)
	f.recent = add(event("Ended ten days ago", time.Now().Truncate(time.Minute).AddDate(0, 0, -10), time.Hour))
	f.old = add(event("Ended sixty days ago", time.Now().Truncate(time.Minute).AddDate(0, 0, -60), time.Hour))
	it = event("Pending event", spring.AddDate(0, 0, 2), time.Hour)
	it.State = store.ItemPending
	f.pending = add(it)
	it = event("Withdrawn event", spring.AddDate(0, 0, 3), time.Hour)
	it.State = store.ItemWithdrawn
	f.withdrawn = add(it)

	f.turnout = add(&store.Item{Kind: store.ItemResearch, Title: "Turnout among young voters", Topics: []string{"turnout"},
		OrgName: "Democracy Lab", By: "Democracy Lab", Published: time.Date(y-1, 5, 1, 0, 0, 0, 0, time.UTC)})
	f.housing = add(&store.Item{Kind: store.ItemResearch, Title: "Housing and participation", Topics: []string{"housing"}})
	f.draft = add(&store.Item{Kind: store.ItemResearch, Title: "Draft research", State: store.ItemPending, Topics: []string{"turnout"}})

	open := time.Now().AddDate(0, 0, 10).UTC().Truncate(24 * time.Hour)
	f.ask = add(&store.Item{Kind: store.ItemAsk, Title: "A venue in Leeds", Closes: open})
	f.offer = add(&store.Item{Kind: store.ItemOffer, Title: "Free training on deliberation", Closes: open})
	f.lapsed = add(&store.Item{Kind: store.ItemAsk, Title: "Lapsed ask", Closes: time.Now().AddDate(0, 0, -1)})
	f.expired = add(&store.Item{Kind: store.ItemAsk, Title: "Expired ask", State: store.ItemExpired, Closes: open})

	for _, p := range []*store.Person{
		{Address: "lab@example.org", OrgName: "Democracy Lab", OrgRegion: "wales", OrgWebsite: "https://lab.example", InDirectory: true},
		{Address: "shy@example.org", OrgName: "Shy Org", InDirectory: false},
	} {
		if err := st.SavePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return f
}
