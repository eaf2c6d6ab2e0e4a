package server_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/store"
)

func TestTemporaryFailureRetriedPermanentRecorded(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		busy := &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy"}
		gone := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		e.ref.set("bob@example.com", busy, busy, nil)
		e.ref.set("cat@example.org", gone)
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Retry", "retry@x", ""))
		waitFor(t, "bob's retried copy", func() bool { return e.sink.CountFor("bob@example.com") == 1 })
		ctx := context.Background()
		cat, err := e.st.GetMember(ctx, l.ID, "cat@example.org")
		if err != nil {
			t.Fatal(err)
		}
		var fs []*store.Failure
		waitFor(t, "permanent failure", func() bool { fs, _ = e.st.ListFailures(ctx, cat.ID); return len(fs) == 1 })
		if fs[0].Code != 550 || fs[0].Enhanced != "5.1.1" {
			t.Errorf("failure = %+v", fs[0])
		}
		if cat, _ = e.st.GetMember(ctx, l.ID, "cat@example.org"); cat.BounceScore != 1 {
			t.Errorf("bounce score = %v, want 1", cat.BounceScore)
		}
		waitFor(t, "queue drained", func() bool { s, _ := e.st.Pending(ctx); return s.Retries == 0 && s.Chunks == 0 })
		if n := e.sink.CountFor("bob@example.com"); n != 1 {
			t.Errorf("bob got %d copies after retries, want 1", n)
		}
		if n := e.sink.CountFor("cat@example.org"); n != 0 {
			t.Errorf("cat got %d copies", n)
		}
	})
}

func TestRelayDropAndBusyLoseNothing(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	many := make([]store.NewMember, 40)
	for i := range many {
		many[i] = store.NewMember{Address: "m" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "@example.net"}
	}
	e.list(t, &store.List{Address: "team@lists.example.org", Policy: store.PolicyOpen}, many...)
	e.sink.SetDropAfter(5) // the connection dies after the 5th DATA, with no reply
	e.ref.set(many[7].Address, &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "slow down"}, nil)
	e.mustSend(t, "x@example.org", []string{"team@lists.example.org"}, post("x@example.org", "Drops", "drop@x", ""))
	waitFor(t, "every member", func() bool {
		for _, m := range many {
			if e.sink.CountFor(m.Address) == 0 {
				return false
			}
		}
		return true
	})
	dups := 0
	for _, m := range many {
		dups += e.sink.CountFor(m.Address) - 1
	}
	if dups > 1 {
		t.Errorf("%d duplicate copies; only the one in flight at the drop may repeat", dups)
	}
}

func TestOwnerAndRequestAddresses(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		e.mustSend(t, "someone@else.example", []string{"team-owner@lists.example.org"}, post("someone@else.example", "For the owners", "own@x", ""))
		waitFor(t, "owner copy", func() bool { return e.sink.CountFor("owner@example.net") == 1 })
		time.Sleep(200 * time.Millisecond)
		if n := e.sink.Count(); n != 1 {
			t.Errorf("owner mail reached %d recipients, want only the owner", n)
		}
		for _, a := range []string{"team-request@lists.example.org", "team-join@lists.example.org",
			"team-leave@lists.example.org", "team-bounces@lists.example.org", "team-bounces+1.2-abc@lists.example.org"} {
			if err := e.send(t, "someone@else.example", []string{a}, "Subject: help\r\n\r\nhelp\r\n"); err != nil {
				t.Errorf("%s refused: %v", a, err)
			}
		}
	})
}

func TestLMTPPerRecipientReplies(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
	e.list(t, &store.List{Address: "other@lists.example.org", Policy: store.PolicyModerated})
	conn, err := net.Dial("tcp", e.srv.Addr("lmtp"))
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("postfix.example.org"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("ann@example.net", nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"team@lists.example.org", "other@lists.example.org"} {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatalf("RCPT %s: %v", r, err)
		}
	}
	if err := c.Rcpt("missing@lists.example.org", nil); smtpCode(err) != 550 {
		t.Errorf("unknown LMTP recipient: %v, want 550", err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(post("ann@example.net", "via lmtp", "lmtp@x", "")))
	resp, err := w.CloseWithLMTPResponse()
	if err != nil || len(resp) != 2 {
		t.Fatalf("LMTP replies %v, %v; want one 250 per recipient", resp, err)
	}
	waitFor(t, "copies via LMTP", func() bool { return e.sink.Count() >= 4 })
	held, _ := e.st.ListHeld(context.Background(), 0)
	if len(held) != 1 || held[0].ListAddress != "other@lists.example.org" {
		t.Errorf("held = %v, want the copy for the moderated list", held)
	}
}
