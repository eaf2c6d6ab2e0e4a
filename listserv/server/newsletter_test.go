package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestNewsletterSend: items of all four kinds, an issue sent by hand
// (what `digest send --now` does) stopping after its first batch as if
// the process died, then resumed by the scheduler's next round. In the
// SMTP sink every subscriber has exactly one copy, with their sections
// in their format, RFC 8058 fields and permalinks; the issue is archived
// on the web; an ask past its closing date leaves the next issue.
func TestNewsletterSend(t *testing.T) {
	stores(t, func(t *testing.T, dbURL string) {
		e := start(t, dbURL)
		ctx := context.Background()
		l := &store.List{Address: "weekly@lists.example.org", Name: "Network weekly", Kind: store.KindNewsletter, Policy: store.PolicyAnnounce}
		var subs []store.NewMember
		for i := range 7 {
			subs = append(subs, store.NewMember{Address: "s" + strconv.Itoa(i) + "@example.net"})
		}
		e.list(t, l, subs...)
		if err := e.st.SetNewsletter(ctx, &store.Newsletter{ListID: l.ID, Schedule: newsletter.DefaultSchedule, Intro: "Hello, network."}); err != nil {
			t.Fatal(err)
		}
		p := store.DefaultPerson("s1@example.net")
		p.Format, p.Sections = store.FormatPlain, []string{"asks", "offers"}
		if err := e.st.SavePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		add := func(it *store.Item) *store.Item {
			it.ListID, it.State = l.ID, store.ItemApproved
			if err := newsletter.Normalize(it, now); err != nil {
				t.Fatal(err)
			}
			if err := e.st.AddItem(ctx, it); err != nil {
				t.Fatal(err)
			}
			return it
		}
		ev := add(&store.Item{Kind: store.ItemEvent, Title: "Spring assembly", Starts: now.Add(72 * time.Hour), Location: "Leeds"})
		add(&store.Item{Kind: store.ItemResearch, Title: "Heat pump study", By: "Uni"})
		ask := add(&store.Item{Kind: store.ItemAsk, Title: "Need a hall", Closes: now.Add(time.Hour)})
		add(&store.Item{Kind: store.ItemOffer, Title: "Hall to lend", Closes: now.Add(20 * 24 * time.Hour)})
		pending := &store.Item{ListID: l.ID, Kind: store.ItemAsk, Title: "Not yet approved"}
		if err := e.st.AddItem(ctx, pending); err != nil {
			t.Fatal(err)
		}

		eng := e.srv.Newsletter
		eng.SetBatch(3)
		died := errors.New("killed")
		eng.BeforeBatch = func(is *store.NewsletterIssue) error {
			if is.Cursor > 0 {
				return died // the first batch is queued, then the sender "dies"
			}
			return nil
		}
		is, n, err := eng.SendNow(ctx, l)
		if !errors.Is(err, died) || n == 0 || n >= len(subs) {
			t.Fatalf("interrupted send: %d queued, %v", n, err)
		}
		eng.BeforeBatch = nil
		if err := eng.RunOnce(ctx); err != nil { // the scheduler's round resumes it
			t.Fatal(err)
		}
		waitFor(t, "every subscriber's copy", func() bool { return e.sink.Count() >= int64(len(subs)) })
		time.Sleep(300 * time.Millisecond) // positive control below: exactly one each, nothing more arrives
		for _, s := range subs {
			cs := e.copiesTo(s.Address)
			if len(cs) != 1 {
				t.Fatalf("%s got %d copies, want 1", s.Address, len(cs))
			}
			raw := string(cs[0].Data)
			if !strings.Contains(raw, "List-Unsubscribe-Post: List-Unsubscribe=One-Click") || !strings.Contains(raw, "Issue 1") {
				t.Errorf("%s: missing RFC 8058 field or issue number", s.Address)
			}
			text := plainText(t, cs[0].Data)
			if s.Address == "s1@example.net" {
				if strings.Contains(raw, "text/html") || strings.Contains(text, "Spring assembly") || !strings.Contains(text, "Need a hall") ||
					!strings.Contains(text, "Hall to lend") {
					t.Errorf("asks+offers plain subscriber got:\n%s", text)
				}
				continue
			}
			for _, want := range []string{"Hello, network.", "Spring assembly", "Heat pump study", "Need a hall", "Hall to lend",
				baseURL + "/items/" + strconv.FormatInt(ev.ID, 10) + ".ics"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: issue lacks %q", s.Address, want)
				}
			}
			if !strings.Contains(raw, "text/html") || strings.Contains(text, "Not yet approved") {
				t.Errorf("%s: no html part, or a pending item went out", s.Address)
			}
		}
		if got, err := e.st.GetIssue(ctx, l.ID, is.Number); err != nil || got.State != store.IssueSent {
			t.Fatalf("issue after resume: %+v %v", got, err)
		}

		page := get(t, "http://"+e.srv.Addr("http")+"/newsletters/"+l.ListID()+"/issues/1", 200)
		if !strings.Contains(page, "Spring assembly") || !strings.Contains(page, `lang="en-GB"`) {
			t.Errorf("archive page:\n%s", page)
		}
		if item := get(t, "http://"+e.srv.Addr("http")+"/items/"+strconv.FormatInt(ev.ID, 10), 200); !strings.Contains(item, "Add “Spring assembly” to your calendar") {
			t.Errorf("permalink page:\n%s", item)
		}
		get(t, "http://"+e.srv.Addr("http")+"/items/"+strconv.FormatInt(pending.ID, 10), 404)
		get(t, "http://"+e.srv.Addr("http")+"/newsletters/"+l.ListID()+"/issues/9", 404)

		// The ask closes; the next issue leaves it out.
		if err := e.st.UpdateItem(ctx, func() *store.Item { a := *ask; a.Closes = now.Add(-time.Minute); return &a }()); err != nil {
			t.Fatal(err)
		}
		if err := eng.RunOnce(ctx); err != nil { // expires closed asks and offers
			t.Fatal(err)
		}
		is2, _, err := eng.SendNow(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		c, err := newsletter.Load(ctx, e.st, l, is2, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Asks) != 0 || len(c.Offers) != 1 || len(c.Research) != 0 {
			t.Errorf("second issue: %d asks, %d offers, %d research; want 0, 1, 0", len(c.Asks), len(c.Offers), len(c.Research))
		}
		if a, _ := e.st.GetItem(ctx, ask.ID); a.State != store.ItemExpired {
			t.Errorf("closed ask is %q, want expired", a.State)
		}
	})
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Errorf("GET %s: %d, want %d", url, resp.StatusCode, want)
	}
	return string(b)
}
