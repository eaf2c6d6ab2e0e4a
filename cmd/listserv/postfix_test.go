package main

// Postfix in front, for real: Debian's Postfix, configured from
// examples/postfix, takes mail on its own port and hands the list domain to
// `listserv serve --lmtp` through transport_maps; listserv's copies go back
// through Postfix's second smtpd (the example's master.cf service) to a
// recording SMTP sink.

import (
	"context"
	"fmt"
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/postfix"
	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

const author = "author@example.com" // not a member: the lists are open

// pfLists: list -> members.
var pfLists = map[string][]string{
	"team":  {"ann@example.net", "bob@example.com"},
	"alpha": {"ann@example.net", "carol@example.org"},
	"beta":  {"bob@example.com", "carol@example.org", "dave@example.net"},
}

func TestPostfixInFront(t *testing.T) {
	postfix.Available(t)
	c := backends[0].newCLI(t) // SQLite: the point here is Postfix, not the store
	for name, members := range pfLists {
		addr := name + "@lists.example.org"
		c.ok("list", "create", addr, "--policy", "open")
		c.ok(append([]string{"member", "add", addr}, members...)...)
	}
	sink := smtpsink.Start(t, smtpsink.Options{})
	lmtp, httpAddr := postfix.FreeAddr(t), postfix.FreeAddr(t)
	pf := postfix.Start(t, postfix.Config{LMTP: lmtp, Relay: sink.Addr()})
	serveArgs := []string{"--smtp", "off", "--imap", "off", "--lmtp", lmtp, "--relay", "smtp://" + pf.Reinject,
		"--hostname", "lists.example.org", "--base-url", "https://lists.example.org", "--retry-base", "1s"}
	srv := c.startServe(httpAddr, serveArgs...)
	db := c.open()
	want := map[copyKey]int{}
	// Each scenario ends when both queues are empty and every copy so far
	// has arrived exactly once, so the next starts from a quiet system.
	began := time.Now()
	settle := func(what string) {
		t.Helper()
		waitSettled(t, db, pf, sink, want)
		t.Logf("%s: settled at %v", what, time.Since(began).Round(time.Millisecond))
	}

	// Any case of a list address reaches the list, once.
	pfSend(t, pf, "mixed", "Team@Lists.Example.org")
	expect(want, "mixed", "team")
	settle("mixed case")

	// One message to two lists: Postfix sends both in one LMTP transaction.
	pfSend(t, pf, "multi", "alpha@lists.example.org", "beta@lists.example.org")
	expect(want, "multi", "alpha", "beta")
	settle("two lists")

	// listserv restarts while Postfix holds mail for it.
	srv.stop()
	t.Logf("listserv stopped at %v", time.Since(began).Round(time.Millisecond))
	pfSend(t, pf, "restart", "team@lists.example.org", "alpha@lists.example.org")
	waitDeferred(t, pf, "<restart@example.com>")
	srv = c.startServe(httpAddr, serveArgs...)
	t.Logf("restart deferred by postfix; listserv running again at %v", time.Since(began).Round(time.Millisecond))
	if err := pf.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	expect(want, "restart", "team", "alpha")
	settle("restart")
	srv.stop()
}

// copyKey names one copy a member should get: one per list per post.
type copyKey struct{ member, listID, msgID string }

func expect(want map[copyKey]int, post string, lists ...string) {
	for _, l := range lists {
		for _, m := range pfLists[l] {
			want[copyKey{m, "<" + l + ".lists.example.org>", "<" + post + "@example.com>"}] = 1
		}
	}
}

// copies counts the sink's copies per member, List-Id and Message-ID.
func copies(sink *smtpsink.Sink) map[copyKey]int {
	n := map[copyKey]int{}
	for _, m := range sink.Messages() {
		listID := m.Header("List-Id")
		if i := strings.LastIndex(listID, "<"); i >= 0 {
			listID = listID[i:]
		}
		for _, r := range m.To {
			n[copyKey{strings.ToLower(r), listID, m.Header("Message-Id")}]++
		}
	}
	return n
}

// pfSend sends a post to Postfix's front door as the world would.
func pfSend(t *testing.T, pf *postfix.Instance, post string, to ...string) {
	t.Helper()
	msg := fmt.Sprintf("From: Author <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@example.com>\r\n"+
		"Date: %s\r\n\r\nPost %s.\r\n", author, strings.Join(to, ", "), post, post, time.Now().Format(time.RFC1123Z), post)
	if err := smtp.SendMail(pf.SMTP, nil, author, to, []byte(msg)); err != nil {
		t.Fatalf("send %s through postfix: %v", post, err)
	}
}

// waitDeferred waits until Postfix has tried to deliver the post and
// deferred it (listserv is down): its recipients then have a reason.
func waitDeferred(t *testing.T, pf *postfix.Instance, msgID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		qs, err := pf.Queue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(qs, func(q postfix.Queued) bool {
			return len(q.Recipients) > 0 && q.Recipients[0].Reason != ""
		}) {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s was not deferred while listserv was down; queue: %+v", msgID, qs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitSettled waits until every expected copy has reached the sink, and
// Postfix's queue and listserv's are both empty: nothing more can arrive,
// so the copies are final. A copy beyond the expected one (or one nobody
// should get) fails at once: it cannot be taken back.
func waitSettled(t *testing.T, db *sqldb.DB, pf *postfix.Instance, sink *smtpsink.Sink, want map[copyKey]int) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(40 * time.Second)
	var flushed time.Time
	for {
		got := copies(sink)
		missing := 0
		for k, n := range got {
			if n > want[k] {
				t.Fatalf("%s got %d copies of %s from %s, want %d; postfix queue: %+v",
					k.member, n, k.msgID, k.listID, want[k], queue(t, pf))
			}
		}
		for k := range want {
			if got[k] == 0 {
				missing++
			}
		}
		qs := queue(t, pf)
		pending, err := db.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if missing == 0 && len(qs) == 0 && pending.Idle() {
			return
		}
		if deferred(qs) && time.Since(flushed) > time.Second {
			// Retry now rather than at Postfix's next queue run.
			flushed = time.Now()
			if err := pf.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled after 40 s: %d expected copies missing; postfix queue %+v; listserv queue %+v; copies %v",
				missing, qs, pending, got)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// deferred: Postfix has tried some message and must try it again.
func deferred(qs []postfix.Queued) bool {
	return slices.ContainsFunc(qs, func(q postfix.Queued) bool {
		return slices.ContainsFunc(q.Recipients, func(r postfix.Rcpt) bool { return r.Reason != "" })
	})
}

func queue(t *testing.T, pf *postfix.Instance) []postfix.Queued {
	t.Helper()
	qs, err := pf.Queue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return qs
}
