package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

var teamMembers = []store.NewMember{
	{Address: "ann@example.net", Name: "Ann"},
	{Address: "bob@example.com"},
	{Address: "Cat@Example.ORG"},
	{Address: "owner@example.net", Role: store.RoleOwner},
	{Address: "dig@example.net", Mode: store.ModeDigest},
	{Address: "quiet@example.net", Mode: store.ModeNoMail},
}

var eachMembers = []string{"ann@example.net", "bob@example.com", "Cat@Example.ORG", "owner@example.net"}

func post(from, subject, msgID, extra string) string {
	return "From: Poster <" + from + ">\r\nTo: team@lists.example.org\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + msgID + ">\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n" + extra +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello list.\r\n.dot line stays\r\n"
}

func TestPostReachesEveryMemberWithListHeaders(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk", SubjectPrefix: "[team]"}, teamMembers...)
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Hello", "first@example.net", ""))
		waitFor(t, "4 copies", func() bool { return e.sink.Count() >= 4 })
		for _, a := range eachMembers {
			cs := e.copiesTo(a)
			if len(cs) != 1 {
				t.Fatalf("%s got %d copies, want 1", a, len(cs))
			}
			checkListHeaders(t, l, cs[0], "[team] Hello")
		}
		for _, a := range []string{"dig@example.net", "quiet@example.net"} {
			if n := len(e.copiesTo(a)); n != 0 {
				t.Errorf("%s (not in each mode) got %d copies", a, n)
			}
		}
		// A reply keeps threading and does not get a second prefix.
		e.sink.Reset()
		e.mustSend(t, "bob@example.com", []string{"team@lists.example.org"},
			post("bob@example.com", "Re: [team] Hello", "second@example.com", "In-Reply-To: <first@example.net>\r\nReferences: <first@example.net>\r\n"))
		waitFor(t, "4 reply copies", func() bool { return e.sink.Count() >= 4 })
		m := e.copiesTo("ann@example.net")[0]
		if got := m.Header("Subject"); got != "Re: [team] Hello" {
			t.Errorf("reply subject = %q", got)
		}
		if m.Header("In-Reply-To") != "<first@example.net>" || m.Header("References") != "<first@example.net>" {
			t.Errorf("threading headers lost: In-Reply-To %q References %q", m.Header("In-Reply-To"), m.Header("References"))
		}
	})
}

func checkListHeaders(t *testing.T, l *store.List, m interface{ Header(string) string }, subject string) {
	t.Helper()
	want := map[string]string{
		"List-Id":               "Team Talk <team.lists.example.org>",
		"List-Post":             "<mailto:team@lists.example.org>",
		"List-Help":             "<mailto:team-request@lists.example.org?subject=help>",
		"List-Subscribe":        "<" + baseURL + "/lists/team.lists.example.org>, <mailto:team-join@lists.example.org?subject=subscribe>",
		"List-Archive":          "<" + baseURL + "/lists/team.lists.example.org/archive>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Precedence":            "list",
		"Subject":               subject,
		"Message-ID":            "<first@example.net>",
		"Reply-To":              "<team@lists.example.org>",
		"From":                  "Poster <ann@example.net>",
	}
	for k, v := range want {
		if got := m.Header(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	unsub := m.Header("List-Unsubscribe")
	if !regexp.MustCompile(`^<https://lists\.example\.org/u/[a-z0-9]+-[a-z2-7]+>, <mailto:team-leave@lists\.example\.org\?subject=unsubscribe>$`).MatchString(unsub) {
		t.Errorf("List-Unsubscribe = %q", unsub)
	}
}

func TestEnvelopeIsVERPAndBodyUnchanged(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		raw := post("ann@example.net", "Bytes", "bytes@example.net", "")
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, raw)
		waitFor(t, "copies", func() bool { return e.sink.Count() >= 4 })
		froms := map[string]bool{}
		for _, m := range e.sink.Messages() {
			if !regexp.MustCompile(`^team-bounces\+[0-9a-z]+\.[0-9a-z]+-[a-z2-7]+@lists\.example\.org$`).MatchString(m.From) {
				t.Errorf("envelope sender %q is not VERP", m.From)
			}
			froms[m.From] = true
			if !strings.HasSuffix(string(m.Data), "\r\n\r\nHello list.\r\n.dot line stays\r\n") {
				t.Errorf("body changed: %q", m.Data)
			}
			if len(m.To) != 1 {
				t.Errorf("copy has %d recipients, want one per transaction", len(m.To))
			}
		}
		if len(froms) != 4 {
			t.Errorf("%d distinct VERP senders for 4 members", len(froms))
		}
	})
}

func TestNonMemberHeldUntilApproved(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"}, post("stranger@else.example", "Let me in", "held@else.example", ""))
		ctx := context.Background()
		var held []*store.Held
		waitFor(t, "held post", func() bool { held, _ = e.st.ListHeld(ctx, 0); return len(held) == 1 })
		if held[0].Reason == "" || held[0].From != "stranger@else.example" || held[0].Subject != "Let me in" {
			t.Errorf("held = %+v", held[0])
		}
		if n := modCopyCount(e); n != 0 {
			t.Fatalf("held post delivered %d copies before approval", n)
		}
		if _, err := moderation.Act(ctx, e.st, held[0].ID, moderation.Approve, "test", ""); err != nil {
			t.Fatal(err)
		}
		e.srv.Engine.Wake()
		waitFor(t, "approved copies", func() bool { return modCopyCount(e) >= 4 })
		for _, a := range eachMembers {
			if n := len(modListCopies(e, a)); n != 1 {
				t.Errorf("%s got %d copies of the approved post", a, n)
			}
		}
	})
}

func TestRefusals(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		for _, rcpt := range []string{"nobody@lists.example.org", "someone@gmail.com", "team-bogus@lists.example.org", "team-request+x@lists.example.org"} {
			err := e.send(t, "ann@example.net", []string{rcpt}, post("ann@example.net", "x", "r@x", ""))
			var se *smtp.SMTPError
			if !errors.As(err, &se) || se.Code != 550 || se.EnhancedCode != (smtp.EnhancedCode{5, 1, 1}) {
				t.Errorf("RCPT %s: got %v, want 550 5.1.1", rcpt, err)
			}
		}
		big := post("ann@example.net", "big", "big@x", "") + strings.Repeat(strings.Repeat("x", 998)+"\r\n", 70)
		if err := e.send(t, "ann@example.net", []string{"team@lists.example.org"}, big); smtpCode(err) != 552 {
			t.Errorf("oversize: got %v, want 552", err)
		}
		rcpts := []string{"team@lists.example.org"}
		for range 5 {
			rcpts = append(rcpts, "team-owner@lists.example.org")
		}
		if err := e.send(t, "ann@example.net", rcpts, post("ann@example.net", "many", "many@x", "")); smtpCode(err) != 452 {
			t.Errorf("6 recipients over a limit of 5: got %v, want 452", err)
		}
		if e.sink.Count() != 0 {
			t.Errorf("%d copies sent for refused messages", e.sink.Count())
		}
	})
}

func TestLoopsAndAutoRepliesNotDistributed(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		for i, extra := range []string{
			"List-Id: Team <team.lists.example.org>\r\n",
			"X-Loop: team@lists.example.org\r\n",
			"Auto-Submitted: auto-replied\r\n",
		} {
			e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "loop", fmt.Sprintf("loop%d@x", i), extra))
		}
		// A normal post after them: once it is out, the others would have been too.
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "fine", "fine@x", "Auto-Submitted: no\r\n"))
		waitFor(t, "normal post", func() bool { return e.sink.Count() >= 4 })
		for _, m := range e.sink.Messages() {
			if m.Header("Subject") != "fine" {
				t.Errorf("looping message %q was distributed", m.Header("Message-ID"))
			}
		}
	})
}

func TestOneClickUnsubscribe(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Hi", "u@x", ""))
		waitFor(t, "copies", func() bool { return e.sink.Count() >= 4 })
		h := e.copiesTo("bob@example.com")[0].Header("List-Unsubscribe")
		u := regexp.MustCompile(`<(https://[^>]+)>`).FindStringSubmatch(h)[1]
		local := "http://" + e.srv.Addr("http") + strings.TrimPrefix(u, baseURL)
		ctx := context.Background()
		resp, err := http.Get(local)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET unsubscribe page: %v %v", resp, err)
		}
		resp.Body.Close()
		if _, err := e.st.GetMember(ctx, l.ID, "bob@example.com"); err != nil {
			t.Fatalf("GET unsubscribed the member: %v", err)
		}
		resp, err = http.PostForm(local, url.Values{"List-Unsubscribe": {"One-Click"}})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("POST one-click: %v %v", resp, err)
		}
		resp.Body.Close()
		if _, err := e.st.GetMember(ctx, l.ID, "bob@example.com"); err == nil {
			t.Fatal("member still subscribed after one-click POST")
		}
		resp, _ = http.PostForm(strings.Replace(local, "/u/", "/u/1", 1), url.Values{"List-Unsubscribe": {"One-Click"}})
		if resp.StatusCode != 404 {
			t.Errorf("forged token: status %d, want 404", resp.StatusCode)
		}
	})
}
