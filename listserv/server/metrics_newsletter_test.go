package server_test

import (
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestNewsletterMetrics: an issue sent by the server's newsletter engine
// moves listserv_newsletter_copies_queued_total by one per subscriber and
// sets the last-queued time.
func TestNewsletterMetrics(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	ctx := t.Context()
	l := e.list(t, &store.List{Address: "weekly@lists.example.org", Name: "Weekly", Kind: store.KindNewsletter, Policy: store.PolicyAnnounce},
		store.NewMember{Address: "s1@example.net"}, store.NewMember{Address: "s2@example.net"}, store.NewMember{Address: "s3@example.net"})
	if err := e.st.SetNewsletter(ctx, &store.Newsletter{ListID: l.ID, Schedule: newsletter.DefaultSchedule, Intro: "Hello."}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	it := &store.Item{ListID: l.ID, State: store.ItemApproved, Kind: store.ItemResearch, Title: "A study", By: "Uni"}
	if err := newsletter.Normalize(it, now); err != nil {
		t.Fatal(err)
	}
	if err := e.st.AddItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	url := "http://" + e.srv.Addr("http") + "/metrics"
	before := scrape(t, url)
	if v := value(t, before, "listserv_newsletter_copies_queued_total"); v != 0 {
		t.Errorf("newsletter copies before any issue: %v", v)
	}
	if v := value(t, before, "listserv_newsletter_last_queued_timestamp_seconds"); v != 0 {
		t.Errorf("last newsletter send before any: %v", v)
	}
	_, n, err := e.srv.Newsletter.SendNow(ctx, l)
	if err != nil || n != 3 {
		t.Fatalf("SendNow: %d copies, %v; want 3", n, err)
	}
	after := scrape(t, url)
	if v := value(t, after, "listserv_newsletter_copies_queued_total"); v != 3 {
		t.Errorf("newsletter copies queued: %v, want 3 (three subscribers)", v)
	}
	if v := value(t, after, "listserv_newsletter_last_queued_timestamp_seconds"); v < float64(now.Unix()) {
		t.Errorf("last newsletter send %v, want after %d", v, now.Unix())
	}
}
