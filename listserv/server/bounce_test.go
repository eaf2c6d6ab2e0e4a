package server_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// clock is a settable time for tests that span days.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func dsn(to, rcpt, action, status string) string {
	return "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: " + to + "\r\n" +
		"Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n" +
		"Final-Recipient: rfc822; " + rcpt + "\r\nAction: " + action + "\r\nStatus: " + status + "\r\n\r\n" +
		"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Poster <ann@example.net>\r\nTo: team@lists.example.org\r\nSubject: Hi\r\n\r\n--b--\r\n"
}

// memberBy waits until the member's row satisfies cond.
func (e *env) memberBy(t *testing.T, listID int64, addr, what string, cond func(*store.Member) bool) {
	t.Helper()
	waitFor(t, what, func() bool {
		m, err := e.st.GetMember(context.Background(), listID, addr)
		return err == nil && cond(m)
	})
}

// inboxDone waits until every inbox item has been handled and returns them.
func (e *env) inboxItems(t *testing.T, n int) []*store.InboxItem {
	t.Helper()
	var items []*store.InboxItem
	waitFor(t, "inbox items handled", func() bool {
		items = items[:0]
		for id := int64(1); id < 100 && len(items) < n; id++ {
			it, err := e.st.GetInbox(context.Background(), id)
			if err == nil && it.State != "new" {
				items = append(items, it)
			}
		}
		return len(items) >= n
	})
	return items
}

// TestBounces: a bounce to a VERP address and one to the plain -bounces@
// address each score the right member, a temporary DSN counts 0.5 on a
// VERP address, a vacation reply and a forged token score nobody, a
// member crossing the threshold is disabled, told, skipped by fan-out and
// re-enabled from the link, and an ARF report unsubscribes.
func TestBounces(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		e := start(t, db, func(c *server.Config) {
			c.Clock = clk.now
			c.Bounces = server.BounceConfig{Window: 7 * 24 * time.Hour, Threshold: 2}
		})
		ctx := context.Background()
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team"}, teamMembers...)
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Hi", "b1@x", ""))
		waitFor(t, "copies", func() bool { return e.sink.Count() >= 4 })
		verp := func(addr string) string {
			cps := e.copiesTo(addr)
			if len(cps) == 0 || !strings.HasPrefix(cps[0].From, "team-bounces+") {
				t.Fatalf("copy to %s: %+v", addr, cps)
			}
			return cps[0].From
		}
		bobVERP, catVERP, annVERP := verp("bob@example.com"), verp("Cat@Example.ORG"), verp("ann@example.net")

		// A permanent DSN to bob's VERP address (naming nobody useful: the
		// token alone names him).
		e.mustSend(t, "", []string{bobVERP}, dsn(bobVERP, "bob.alias@mail.example.com", "failed", "5.1.1"))
		e.memberBy(t, l.ID, "bob@example.com", "bob scored 1", func(m *store.Member) bool { return m.BounceScore == 1 })
		// A delayed DSN to Cat's VERP address: temporary, 0.5.
		e.mustSend(t, "", []string{catVERP}, dsn(catVERP, "cat@example.org", "delayed", "4.4.1"))
		e.memberBy(t, l.ID, "cat@example.org", "cat scored 0.5", func(m *store.Member) bool { return m.BounceScore == 0.5 })
		// A bounce to the plain address names ann through the parser.
		e.mustSend(t, "", []string{"team-bounces@lists.example.org"}, dsn("team-bounces@lists.example.org", "ann@example.net", "failed", "5.2.1"))
		e.memberBy(t, l.ID, "ann@example.net", "ann scored 1", func(m *store.Member) bool { return m.BounceScore == 1 })

		// A vacation reply to ann's VERP address and a forged token for
		// bob's: both handled, nobody scored.
		e.mustSend(t, "ann@example.net", []string{annVERP}, "From: Ann <ann@example.net>\r\nTo: "+annVERP+
			"\r\nSubject: Out of office: Hi\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n")
		forged := bobVERP[:strings.LastIndexByte(bobVERP, '-')+1] + "aaaaaaaaaaaaaaaa@lists.example.org"
		e.mustSend(t, "", []string{forged}, dsn(forged, "bob@example.com", "failed", "5.1.1"))
		items := e.inboxItems(t, 5)
		forgedSeen := false
		for _, it := range items {
			if it.Token != "" && strings.Contains(forged, it.Token) {
				forgedSeen = true
				if it.State != store.InboxFailed || !strings.Contains(it.Note, "forged") {
					t.Errorf("forged token item: %s %q", it.State, it.Note)
				}
			}
		}
		if !forgedSeen {
			t.Fatalf("forged bounce not in the inbox: %+v", items)
		}
		for addr, want := range map[string]float64{"ann@example.net": 1, "bob@example.com": 1, "cat@example.org": 0.5} {
			m, err := e.st.GetMember(ctx, l.ID, addr)
			if err != nil || m.BounceScore != want || m.Status != store.StatusEnabled {
				t.Errorf("%s after the vacation reply and the forged token: %+v %v; want score %v", addr, m, err, want)
			}
		}

		// The next day a second permanent bounce takes bob to the threshold.
		clk.add(24 * time.Hour)
		e.mustSend(t, "", []string{bobVERP}, dsn(bobVERP, "bob@example.com", "failed", "5.1.1"))
		e.memberBy(t, l.ID, "bob@example.com", "bob disabled", func(m *store.Member) bool { return m.Status == store.StatusDisabledBounces })
		waitFor(t, "notices", func() bool {
			return len(e.copiesTo("bob@example.com")) >= 2 && len(e.copiesTo("owner@example.net")) >= 2
		})
		notice := string(e.copiesTo("bob@example.com")[1].Data)
		link := regexp.MustCompile(`https://lists\.example\.org/bounces/enable/[a-z0-9-]+`).FindString(notice)
		if link == "" || !strings.Contains(notice, "Auto-Submitted: auto-generated") {
			t.Fatalf("member notice without a re-enable link:\n%s", notice)
		}
		if s := string(e.copiesTo("owner@example.net")[1].Data); !strings.Contains(s, "bob@example.com") || !strings.Contains(s, "disabled") {
			t.Errorf("owner summary:\n%s", s)
		}
		// Fan-out skips bob now.
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Again", "b2@x", ""))
		waitFor(t, "second post", func() bool { return len(e.copiesTo("cat@example.org")) >= 2 })
		if n := len(e.copiesTo("bob@example.com")); n != 2 {
			t.Errorf("bob has %d messages; a disabled member got a copy", n)
		}

		// The link: GET shows a button and changes nothing; POST re-enables.
		local := "http://" + e.srv.Addr("http") + localPath(link)
		resp, err := http.Get(local)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", local, resp, err)
		}
		resp.Body.Close()
		if m, _ := e.st.GetMember(ctx, l.ID, "bob@example.com"); m.Status != store.StatusDisabledBounces {
			t.Fatalf("a GET re-enabled: %+v", m)
		}
		resp, err = http.Post(local, "application/x-www-form-urlencoded", strings.NewReader(""))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("POST %s: %v %v", local, resp, err)
		}
		resp.Body.Close()
		if m, _ := e.st.GetMember(ctx, l.ID, "bob@example.com"); m.Status != store.StatusEnabled || m.BounceScore != 0 {
			t.Errorf("after POST: %+v", m)
		}

		// An ARF report names Cat: she is unsubscribed, with evidence.
		arf := "From: feedback@provider.example\r\nTo: team-bounces@lists.example.org\r\nSubject: Abuse report\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/report; report-type=feedback-report; boundary=\"f\"\r\n\r\n--f\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n" +
			"--f\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: P/1\r\nVersion: 1\r\n\r\n" +
			"--f\r\nContent-Type: message/rfc822\r\n\r\nFrom: Poster <ann@example.net>\r\nTo: cat@example.org\r\nSubject: Hi\r\n\r\nHello\r\n--f--\r\n"
		e.mustSend(t, "feedback@provider.example", []string{"team-bounces@lists.example.org"}, arf)
		waitFor(t, "cat unsubscribed", func() bool {
			_, err := e.st.GetMember(ctx, l.ID, "cat@example.org")
			return errors.Is(err, store.ErrNotFound)
		})
		cs, err := e.st.ListConsent(ctx, "cat@example.org")
		if err != nil || len(cs) == 0 || cs[len(cs)-1].Action != "left" || cs[len(cs)-1].How != "complaint" {
			t.Errorf("consent evidence after the complaint: %+v %v", cs, err)
		}
	})
}
