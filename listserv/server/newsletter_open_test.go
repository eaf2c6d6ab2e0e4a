package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

var openLinkRe = regexp.MustCompile(`https://lists\.example\.org(/items/[0-9]+/(extend|done)\?t=[A-Za-z0-9_=-]+)`)

// TestNewsletterAsksOffers: an ask closing within three days earns its
// poster one "still open?" mail however many rounds run; its extend link
// shows a button on GET (nothing changes), extends by two weeks on POST,
// and is stale after; the done link closes it. A new ask and a matching
// open offer (a shared title word) each get one notice of the other,
// however many rounds; an offer that matches nothing gets none.
func TestNewsletterAsksOffers(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		ctx := context.Background()
		nl, _ := nlSetup(t, e)
		eng := e.srv.Newsletter
		now := time.Now()
		closes := now.Add(48 * time.Hour).UTC().Truncate(24 * time.Hour)
		vol := approvedItem(t, e, nl, &store.Item{Kind: store.ItemAsk, Title: "Volunteers for leafleting", Submitter: "ann@example.net", Closes: closes})
		for range 2 {
			if err := eng.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		mail := plainText(t, e.waitMail(t, "ann@example.net", "Still open? Volunteers for leafleting").Data)
		time.Sleep(200 * time.Millisecond) // the positive control is the mail above; a second would be queued with it
		if n := len(e.mailsTo("ann@example.net", "Still open?")); n != 1 {
			t.Fatalf("%d still-open mails, want 1", n)
		}
		links := openLinkRe.FindAllStringSubmatch(mail, -1)
		if len(links) != 2 || links[0][2] != "extend" || links[1][2] != "done" {
			t.Fatalf("links in the mail: %q\n%s", links, mail)
		}
		b := newBrowser(t, e)
		code, page := b.get(links[0][1])
		if code != 200 || !strings.Contains(page, "Extend by two weeks") {
			t.Fatalf("GET extend: %d\n%s", code, page)
		}
		if got, _ := e.st.GetItem(ctx, vol.ID); !got.Closes.Equal(closes) {
			t.Fatal("a GET extended the ask")
		}
		tok := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(page)[1]
		u := strings.SplitN(links[0][1], "?", 2)[0]
		if code, page = b.post(u, url.Values{"t": {tok}}); code != 200 || !strings.Contains(page, "Kept open") {
			t.Fatalf("POST extend: %d\n%s", code, page)
		}
		if got, _ := e.st.GetItem(ctx, vol.ID); !got.Closes.Equal(closes.Add(14 * 24 * time.Hour)) {
			t.Errorf("closes %v, want %v", got.Closes, closes.Add(14*24*time.Hour))
		}
		if code, page = b.post(u, url.Values{"t": {tok}}); code != 200 || !strings.Contains(page, "already used") {
			t.Errorf("second POST extend: %d\n%s", code, page)
		}
		if code, _ = b.post(u, url.Values{"t": {"forged"}}); code != http.StatusOK {
			t.Errorf("forged token: %d", code)
		}
		_, page = b.get(links[1][1])
		dtok := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(page)[1]
		if code, page = b.post(strings.SplitN(links[1][1], "?", 2)[0], url.Values{"t": {dtok}}); code != 200 || !strings.Contains(page, "is closed") {
			t.Fatalf("POST done: %d\n%s", code, page)
		}
		if got, _ := e.st.GetItem(ctx, vol.ID); got.State != store.ItemExpired {
			t.Errorf("done ask is %q", got.State)
		}

		// Matching.
		approvedItem(t, e, nl, &store.Item{Kind: store.ItemOffer, Title: "Meeting room in Leeds city centre", Submitter: "bob@example.com",
			Respond: "Call Bob on 0113 000 0000"})
		approvedItem(t, e, nl, &store.Item{Kind: store.ItemOffer, Title: "Legal advice sessions", Submitter: "cat@example.org"})
		approvedItem(t, e, nl, &store.Item{Kind: store.ItemAsk, Title: "Need a room for 30 people in Leeds", Submitter: "dan@example.com"})
		for range 3 {
			if err := eng.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		dan := plainText(t, e.waitMail(t, "dan@example.com", "A possible match for").Data)
		e.waitMail(t, "bob@example.com", "A possible match for")
		time.Sleep(200 * time.Millisecond)
		if !strings.Contains(dan, "Meeting room in Leeds city centre") || !strings.Contains(dan, "Call Bob") {
			t.Errorf("dan's notice:\n%s", dan)
		}
		for addr, want := range map[string]int{"dan@example.com": 1, "bob@example.com": 1, "cat@example.org": 0} {
			if n := len(e.mailsTo(addr, "A possible match for")); n != want {
				t.Errorf("%s got %d match notices, want %d", addr, n, want)
			}
		}
	})
}
