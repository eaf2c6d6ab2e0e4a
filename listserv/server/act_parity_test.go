package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestRejectParityWebEmail: rejecting a post a spam filter marked, by the
// web and by an email reply (the CLI case is TestHeldParity in
// cmd/listserv; all three call moderation.Act), tells nobody (the sender
// is likely forged) and leaves audit rows of one shape; rejecting a
// genuine post tells its sender, whichever door was used.
func TestRejectParityWebEmail(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		ctx := context.Background()
		e.list(t, &store.List{Address: "team@lists.example.org", Policy: store.PolicyModerated}, modTeam...)
		spam := "X-Spam-Flag: YES\r\n"
		senders := map[string]string{}
		for _, c := range []struct{ door, extra string }{{"web", spam}, {"email", spam}, {"web", ""}, {"email", ""}} {
			sender := fmt.Sprintf("%s%d@else.example", c.door, len(c.extra))
			subject := "parity " + sender
			senders[subject] = sender
			e.mustSend(t, sender, []string{"team@lists.example.org"}, post(sender, subject, sender, c.extra))
			h := modHeldWith(t, e, subject)
			if c.door == "web" {
				b := modSignIn(t, e, "mod@example.net")
				_, page := b.get(fmt.Sprintf("/moderate/%d", h.ID))
				if code, page := b.post(fmt.Sprintf("/moderate/%d", h.ID), url.Values{"csrf": {csrfOf(t, page)},
					"action": {"reject"}, "reason": {"off topic"}}); code != 200 || !strings.Contains(page, "was rejected") {
					t.Fatalf("web reject: %d\n%s", code, page)
				}
			} else {
				var to string
				waitFor(t, "notice", func() bool {
					for _, n := range modNotices(e, "mod@example.net", subject) {
						to = n.Header("Reply-To")
					}
					return to != ""
				})
				to = strings.Trim(to, "<>")
				e.mustSend(t, "mod@example.net", []string{to}, modReply("mod@example.net", to, "reject off topic"))
			}
			waitFor(t, "rejected", func() bool { got, _ := e.st.GetHeld(ctx, h.ID); return got.State == string(store.Reject) })
		}
		// The rejection notice is queued just after the state changes: wait
		// for the ones that must come, then check that no other did.
		for _, sender := range senders {
			if strings.HasSuffix(strings.Split(sender, "@")[0], "0") {
				waitFor(t, "notice to "+sender, func() bool { return len(modNotices(e, sender, "rejected")) > 0 })
			}
		}
		modSettle(t, e)
		for subject, sender := range senders {
			told := len(modNotices(e, sender, "rejected")) > 0
			if want := strings.HasSuffix(strings.Split(sender, "@")[0], "0"); told != want {
				t.Errorf("%s: sender told %v, want %v", subject, told, want)
			}
		}
		l, _ := e.st.GetList(ctx, "team@lists.example.org")
		audit, err := e.st.ListAudit(ctx, l.ID, 0, 10)
		if err != nil || len(audit) != 4 {
			t.Fatalf("audit: %+v, %v", audit, err)
		}
		for _, a := range audit {
			if a.Actor != "mod@example.net" || a.Action != "rejected" || a.Detail != "off topic" || !strings.HasPrefix(a.Target, "held:") {
				t.Errorf("audit row %+v: want rejected by mod@example.net, detail \"off topic\"", a)
			}
		}
	})
}
