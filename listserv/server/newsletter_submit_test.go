package server_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// nlSetup makes a newsletter with an editor (its owner) and a
// discussion list whose tagged posts are proposed to it.
func nlSetup(t *testing.T, e *env) (nl, team *store.List) {
	t.Helper()
	nl = e.list(t, &store.List{Address: "weekly@lists.example.org", Name: "Network weekly", Kind: store.KindNewsletter,
		Policy: store.PolicyAnnounce}, store.NewMember{Address: "editor@example.net", Role: store.RoleOwner},
		store.NewMember{Address: "ann@example.net"})
	if err := e.st.SetNewsletter(context.Background(), &store.Newsletter{ListID: nl.ID, Schedule: newsletter.DefaultSchedule}); err != nil {
		t.Fatal(err)
	}
	team = e.list(t, &store.List{Address: "team@lists.example.org"}, store.NewMember{Address: "ann@example.net"},
		store.NewMember{Address: "cat@example.org"})
	return nl, team
}

// pendingItem waits for a pending item titled title and returns it
// with its held row.
func pendingItem(t *testing.T, e *env, listID int64, title string) (*store.Item, *store.Held) {
	t.Helper()
	var found *store.Item
	waitFor(t, "pending item "+title, func() bool {
		its, err := e.st.ListItems(context.Background(), store.ItemFilter{ListID: listID, States: []string{store.ItemPending}}, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range its {
			if it.Title == title {
				found = it
			}
		}
		return found != nil
	})
	q, err := e.st.ListQueue(context.Background(), []int64{listID}, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range q {
		if store.HeldItemID(&h.Held) == found.ID {
			return found, &h.Held
		}
	}
	t.Fatalf("item %d is not in the moderation queue", found.ID)
	return nil, nil
}

// TestNewsletterSubmit: the three ways in, and the editors' queue.
// A member submits an ask on the web (a bad form is refused with what
// to fix; the preview shows it; sending queues it); an event arrives by
// mail with an .ics attached and its sender is thanked; an event
// without a start is refused by mail with the sample; a #offer post to
// a discussion list is distributed and proposed. The editor sees them
// in the moderation queue, corrects the ask (audited) and approves it;
// rejecting the offer tells its poster.
func TestNewsletterSubmit(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		ctx := context.Background()
		nl, _ := nlSetup(t, e)

		// 1. The web form.
		b := newBrowser(t, e)
		signIn(t, e, b, "ann@example.net")
		code, page := b.get("/submit")
		if code != 200 || !strings.Contains(page, `name="kind" value="ask"`) {
			t.Fatalf("/submit: %d\n%s", code, page)
		}
		code, page = b.get("/submit?kind=ask&newsletter=weekly%40lists.example.org")
		if code != 200 || !strings.Contains(page, "What is needed") || strings.Contains(page, `name="starts"`) {
			t.Fatalf("ask form: %d\n%s", code, page)
		}
		form := url.Values{"csrf": {csrfOf(t, page)}, "newsletter": {nl.Address}, "kind": {"ask"}, "action": {"preview"},
			"summary": {"For a workshop on 14 April."}, "closes": {"2027-13-40"}}
		code, page = b.post("/submit", form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, "There is a problem") || !strings.Contains(page, "Closes") {
			t.Fatalf("bad form: %d\n%s", code, page)
		}
		form.Set("closes", time.Now().AddDate(0, 0, 20).Format(time.DateOnly))
		form.Set("title", "Room for 30 people in Leeds")
		code, page = b.post("/submit", form)
		if code != 200 || !strings.Contains(page, "Preview") || !strings.Contains(page, "Send to the editors") {
			t.Fatalf("preview: %d\n%s", code, page)
		}
		form.Set("action", "submit")
		code, page = b.post("/submit", form)
		if code != 200 || !strings.Contains(page, "waits for the editors") {
			t.Fatalf("submit: %d\n%s", code, page)
		}
		ask, askHeld := pendingItem(t, e, nl.ID, "Room for 30 people in Leeds")
		if ask.Submitter != "ann@example.net" || ask.Source != newsletter.SourceWeb {
			t.Errorf("web item: %+v", ask)
		}

		// 2. By mail, with a calendar file.
		raw, err := os.ReadFile("../newsletter/testdata/submit_ics.eml")
		if err != nil {
			t.Fatal(err)
		}
		e.mustSend(t, "ann@example.net", []string{nl.Address}, string(raw))
		ev, _ := pendingItem(t, e, nl.ID, "Community energy meet-up, Cardiff")
		if ev.Region != "Wales" || ev.Source != newsletter.SourceEmail || ev.Zone != "Europe/London" {
			t.Errorf("mailed event: %+v", ev)
		}
		e.waitMail(t, "ann@example.net", "Received: Community energy")
		e.mustSend(t, "dan@example.com", []string{nl.Address}, "From: dan@example.com\r\nTo: weekly@lists.example.org\r\n"+
			"Subject: [event] Picnic\r\nMessage-ID: <nostart@example.com>\r\n\r\nWhere: the park\r\n")
		refusal := string(e.waitMail(t, "dan@example.com", "Not added").Data)
		if !strings.Contains(refusal, "an event needs a start time") || !strings.Contains(refusal, "Subject: [event]") {
			t.Errorf("refusal:\n%s", refusal)
		}

		// 3. A tagged post on a discussion list: distributed and proposed.
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, "From: ann@example.net\r\nTo: team@lists.example.org\r\n"+
			"Subject: #offer Spare projector\r\nMessage-ID: <offer1@example.net>\r\n\r\nRespond: ann@example.net\r\nTopics: equipment\r\n\r\nFree to a good home.\r\n")
		waitFor(t, "the post on the list", func() bool { return len(e.mailsTo("cat@example.org", "#offer Spare projector")) == 1 })
		offer, offerHeld := pendingItem(t, e, nl.ID, "Spare projector")
		if offer.Source != newsletter.SourceList || offer.Respond != "ann@example.net" || offerHeld.Reason != newsletter.ReasonList(&store.List{Address: "team@lists.example.org"}) {
			t.Errorf("proposed offer: %+v, held %+v", offer, offerHeld)
		}

		// The editors' queue.
		ed := newBrowser(t, e)
		signIn(t, e, ed, "editor@example.net")
		_, page = ed.get("/moderate")
		for _, want := range []string{"Ask: Room for 30 people in Leeds", "Event: Community energy meet-up", "Offer: Spare projector"} {
			if !strings.Contains(page, want) {
				t.Errorf("queue lacks %q", want)
			}
		}
		id := strconv.FormatInt(askHeld.ID, 10)
		code, page = ed.get("/moderate/" + id)
		if code != 200 || !strings.Contains(page, "Correct it before approving") || !strings.Contains(page, `value="Room for 30 people in Leeds"`) {
			t.Fatalf("held item page: %d\n%s", code, page)
		}
		edit := url.Values{"csrf": {csrfOf(t, page)}, "title": {"Room for 30 people in Leeds, 14 April"},
			"summary": {"For a workshop."}, "closes": {ask.Closes.Format(time.DateOnly)}, "respond": {"ann@example.net"}}
		code, page = ed.post("/moderate/"+id+"/item", edit)
		if code != 200 || !strings.Contains(page, "are saved") {
			t.Fatalf("edit: %d\n%s", code, page)
		}
		if got, _ := e.st.GetItem(ctx, ask.ID); got.Title != "Room for 30 people in Leeds, 14 April" || got.State != store.ItemPending {
			t.Errorf("after edit: %+v", got)
		}
		if code, page = ed.post("/moderate/"+id, url.Values{"csrf": {csrfOf(t, page)}, "action": {"approve"}}); code != 200 || !strings.Contains(page, "approved") {
			t.Fatalf("approve: %d\n%s", code, page)
		}
		if got, _ := e.st.GetItem(ctx, ask.ID); got.State != store.ItemApproved {
			t.Errorf("approved ask is %q", got.State)
		}
		as, err := e.st.ListAudit(ctx, nl.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range as {
			actions = append(actions, a.Action+" "+a.Target)
		}
		if joined := strings.Join(actions, ","); !strings.Contains(joined, "approved held:"+id) || !strings.Contains(joined, "edited held:"+id) {
			t.Errorf("audit log: %s", joined)
		}
		_, page = ed.get("/moderate/" + strconv.FormatInt(offerHeld.ID, 10))
		ed.post("/moderate/"+strconv.FormatInt(offerHeld.ID, 10), url.Values{"csrf": {csrfOf(t, page)}, "action": {"reject"}, "reason": {"Please post it on the list only"}})
		no := string(e.waitMail(t, "ann@example.net", "Not accepted: Spare projector").Data)
		if !strings.Contains(no, "Please post it on the list only") {
			t.Errorf("rejection:\n%s", no)
		}
		if got, _ := e.st.GetItem(ctx, offer.ID); got.State != store.ItemRejected {
			t.Errorf("rejected offer is %q", got.State)
		}
	})
}
