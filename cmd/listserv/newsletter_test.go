package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestNewsletterCLI: a newsletter is created with its schedule, items of
// every kind are added approved (the id printed), listed and withdrawn;
// bad input is refused with exit 2 and a message naming the field.
func TestNewsletterCLI(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := b.newCLI(t)
			out := c.ok("newsletter", "create", "weekly@example.org", "--name", "Weekly", "--schedule", "Tue 09:30 Europe/London")
			if !strings.Contains(out, "created newsletter weekly@example.org") || !strings.Contains(out, "Tuesday") {
				t.Errorf("create said %q", out)
			}
			c.fails(2, []string{"unknown weekday"}, "newsletter", "create", "w2@example.org", "--schedule", "Funday 08:00")
			c.fails(2, []string{"time zone"}, "newsletter", "create", "w2@example.org", "--schedule", "Mon 08:00 Mars/Olympus")
			c.ok("list", "create", "team@example.org")
			c.fails(2, []string{"not a newsletter"}, "item", "add", "team@example.org", "--kind", "ask", "--title", "x")
			ids := []string{
				c.ok("item", "add", "weekly@example.org", "--kind", "event", "--title", "Summit", "--starts", "2027-03-27T10:00:00Z",
					"--ends", "2027-03-27T16:00:00Z", "--location", "Cardiff", "--url", "https://book.example/s"),
				c.ok("item", "add", "weekly@example.org", "--kind", "research", "--title", "Paper", "--url", "https://r.example/p", "--by", "Uni"),
				c.ok("item", "add", "weekly@example.org", "--kind", "ask", "--title", "Need a hall", "--closes", "2027-02-01"),
				c.ok("item", "add", "weekly@example.org", "--kind", "offer", "--title", "Hall to lend", "--summary", "Seats 80"),
			}
			for _, id := range ids {
				if strings.TrimSpace(id) == "" || strings.ContainsAny(strings.TrimSpace(id), " \t") {
					t.Errorf("item add printed %q, want an id", id)
				}
			}
			c.fails(2, []string{"kind must be"}, "item", "add", "weekly@example.org", "--kind", "party", "--title", "x")
			c.fails(2, []string{"title is needed"}, "item", "add", "weekly@example.org", "--kind", "ask")
			c.fails(2, []string{"start time"}, "item", "add", "weekly@example.org", "--kind", "event", "--title", "x")
			c.fails(2, []string{"--closes"}, "item", "add", "weekly@example.org", "--kind", "ask", "--title", "x", "--closes", "soon")
			c.fails(2, []string{"before it starts"}, "item", "add", "weekly@example.org", "--kind", "event", "--title", "x",
				"--starts", "2027-03-27T10:00:00Z", "--ends", "2027-03-26T10:00:00Z")
			c.fails(2, []string{"https://"}, "item", "add", "weekly@example.org", "--kind", "research", "--title", "x", "--url", "javascript:alert(1)")
			var items []itemJSON
			if err := json.Unmarshal([]byte(c.ok("item", "ls", "weekly@example.org", "--json")), &items); err != nil {
				t.Fatal(err)
			}
			if len(items) != 4 || items[3].Kind != "event" || items[3].URL != "https://book.example/s" || items[0].Closes == "" {
				t.Fatalf("items: %+v", items)
			}
			if items[3].Starts == nil || !items[3].Starts.Equal(time.Date(2027, 3, 27, 10, 0, 0, 0, time.UTC)) {
				t.Errorf("event start %v", items[3].Starts)
			}
			c.ok("item", "withdraw", strings.TrimSpace(ids[2]))
			c.fails(2, []string{"withdrawn already"}, "item", "withdraw", strings.TrimSpace(ids[2]))
			c.fails(2, []string{"no item"}, "item", "withdraw", "9999")
			c.fails(2, []string{"number"}, "item", "withdraw", "abc")
			if out := c.ok("newsletter", "link", "team@example.org", "weekly@example.org"); !strings.Contains(out, "proposed to weekly@example.org") {
				t.Errorf("newsletter link said %q", out)
			}
			c.fails(2, []string{"not a newsletter"}, "newsletter", "link", "weekly@example.org", "team@example.org")
			c.fails(2, []string{"no list"}, "newsletter", "link", "nope@example.org", "weekly@example.org")
			db := c.open()
			defer db.Close()
			l, err := db.GetList(t.Context(), "weekly@example.org")
			if err != nil {
				t.Fatal(err)
			}
			n, err := db.GetNewsletter(t.Context(), l.ID)
			if err != nil || l.Kind != store.KindNewsletter || n.Schedule != "Tue 09:30 Europe/London" || n.NextDue.IsZero() {
				t.Errorf("newsletter %+v %+v %v", l, n, err)
			}
		})
	}
}
