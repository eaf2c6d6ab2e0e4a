package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

var feedTests = []storeTest{
	{"ListEvents", testListEvents},
	{"DirectoryOrg", testDirectoryOrg},
}

// testListEvents: events come in start order, filtered by state, region
// (any case), online or in person, organisation and end time, and the
// keyset pages through them without gaps or repeats.
func testListEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := newsletterList(t, s, "news@example.org")
	other := newsletterList(t, s, "other@example.org")
	day := time.Date(2027, 3, 1, 18, 0, 0, 0, time.UTC)
	ev := func(list *store.List, title string, days int, state, region, place, online, org string) *store.Item {
		st := day.AddDate(0, 0, days)
		return addItem(t, s, &store.Item{ListID: list.ID, Kind: store.ItemEvent, State: state, Title: title, Starts: st,
			Ends: st.Add(time.Hour), Zone: "Europe/London", Region: region, Location: place, OnlineURL: online, OrgName: org})
	}
	live := []string{store.ItemApproved, store.ItemPublished}
	past := ev(l, "past", -10, store.ItemPublished, "Wales", "Cardiff", "", "")
	hybrid := ev(l, "hybrid", 3, store.ItemApproved, "wales", "Swansea", "https://meet.example/a", "Lab")
	online := ev(l, "online", 1, store.ItemPublished, "", "", "https://meet.example/b", "")
	same1 := ev(l, "same time 1", 5, store.ItemApproved, "London", "Camden", "", "Lab")
	same2 := ev(l, "same time 2", 5, store.ItemApproved, "Scotland", "Leith", "", "")
	ev(l, "pending", 2, store.ItemPending, "Wales", "Newport", "", "")
	elsewhere := ev(other, "elsewhere", 4, store.ItemApproved, "Wales", "Bangor", "", "")
	addItem(t, s, &store.Item{ListID: l.ID, Kind: store.ItemResearch, State: store.ItemApproved, Title: "not an event"})

	titles := func(f store.EventFilter, limit int) string {
		t.Helper()
		its, err := s.ListEvents(ctx, f, limit)
		must(t, err, "list events")
		out := ""
		for _, it := range its {
			out += it.Title + ";"
		}
		return out
	}
	check := func(name string, f store.EventFilter, want ...*store.Item) {
		t.Helper()
		w := ""
		for _, it := range want {
			w += it.Title + ";"
		}
		if got := titles(f, 100); got != w {
			t.Errorf("%s: got %q, want %q", name, got, w)
		}
	}
	check("live of one newsletter", store.EventFilter{ListID: l.ID, States: live}, past, online, hybrid, same1, same2)
	check("upcoming", store.EventFilter{States: live, EndsFrom: day}, online, hybrid, elsewhere, same1, same2)
	check("region by value or label, any case", store.EventFilter{ListID: l.ID, States: live, Regions: []string{"WALES", "north-east"}}, past, hybrid)
	check("online", store.EventFilter{States: live, Attend: store.AttendOnline}, online, hybrid)
	check("in person", store.EventFilter{ListID: l.ID, States: live, EndsFrom: day, Attend: store.AttendInPerson}, hybrid, same1, same2)
	check("organisation", store.EventFilter{States: live, OrgName: "Lab"}, hybrid, same1)

	// Keyset: pages of two, each continuing after the last one seen,
	// including across two events that start at the same time.
	var got []*store.Item
	f := store.EventFilter{States: live}
	for page := 0; page < 10; page++ {
		its, err := s.ListEvents(ctx, f, 2)
		must(t, err, "list events page")
		if len(its) == 0 {
			break
		}
		got = append(got, its...)
		last := its[len(its)-1]
		f.AfterStart, f.AfterID = last.Starts, last.ID
	}
	want := []*store.Item{past, online, hybrid, elsewhere, same1, same2}
	if len(got) != len(want) {
		t.Fatalf("paged %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID {
			t.Errorf("page order %d: %s, want %s", i, got[i].Title, want[i].Title)
		}
	}
}

// testDirectoryOrg: a listed organisation is found by any case of its
// name; one whose people did not opt in is not.
func testDirectoryOrg(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i, p := range []*store.Person{
		{Address: "a@example.org", OrgName: "Democracy Lab", OrgRegion: "wales", InDirectory: true},
		{Address: "b@example.org", OrgName: "Hidden Org", InDirectory: false},
	} {
		must(t, s.SavePerson(ctx, p), fmt.Sprint("save person ", i))
	}
	p, err := s.DirectoryOrg(ctx, " democracy LAB ")
	if err != nil || p.OrgName != "Democracy Lab" || p.OrgRegion != "wales" {
		t.Errorf("listed organisation: %+v %v", p, err)
	}
	for _, name := range []string{"Hidden Org", "", "No Such Org"} {
		if _, err := s.DirectoryOrg(ctx, name); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DirectoryOrg(%q) = %v, want ErrNotFound", name, err)
		}
	}
}
