package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/store"
)

func cmdMail(from, to, subject, body, extra string) string {
	return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: <" +
		strings.ReplaceAll(subject, " ", "") + time.Now().Format("150405.000000") + "@example.org>\r\n" + extra +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
}

// TestJoinByMailAndReplyToConfirm: mail to LIST-join@ brings a
// confirmation; a reply to its LIST-confirm+TOKEN@ address joins; a
// second reply is told the confirmation was used.
func TestJoinByMailAndReplyToConfirm(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		e.mustSend(t, "new@example.org", []string{"team-join@lists.example.org"}, cmdMail("New <new@example.org>", "team-join@lists.example.org", "join", "", ""))
		c := e.waitMail(t, "new@example.org", "Confirm: join Team Talk")
		if c.Header("Auto-Submitted") != "auto-replied" {
			t.Errorf("confirmation to a mail request: Auto-Submitted %q", c.Header("Auto-Submitted"))
		}
		confirmAddr := strings.Trim(c.Header("Reply-To"), "<>")
		if !strings.HasPrefix(confirmAddr, "team-confirm+") {
			t.Fatalf("Reply-To = %q", c.Header("Reply-To"))
		}
		if _, err := e.st.GetMember(context.Background(), l.ID, "new@example.org"); err == nil {
			t.Fatal("joined before confirming")
		}
		e.mustSend(t, "new@example.org", []string{confirmAddr}, cmdMail("new@example.org", confirmAddr, "Re: Confirm: join Team Talk", "> quoted", ""))
		e.waitMail(t, "new@example.org", "Welcome to Team Talk")
		m, err := e.st.GetMember(context.Background(), l.ID, "new@example.org")
		if err != nil || m.Source != "email" || m.Name != "New" {
			t.Fatalf("member after reply-to-confirm: %+v %v", m, err)
		}
		cs, _ := e.st.ListConsent(context.Background(), "new@example.org")
		if len(cs) != 2 || cs[1].How != "email" || cs[1].Origin != "new@example.org" {
			t.Errorf("consent = %+v", cs)
		}
		e.mustSend(t, "new@example.org", []string{confirmAddr}, cmdMail("new@example.org", confirmAddr, "Re: again", "", ""))
		r := e.waitMail(t, "new@example.org", "Re: Re: again")
		if !strings.Contains(string(r.Data), "expired or was already used") {
			t.Errorf("second reply-to-confirm answered:\n%s", r.Data)
		}
	})
}

// TestRequestCommands: help, set, unknown text and unsubscribe to
// LIST-request@, and any mail to LIST-leave@, each with a short reply.
func TestRequestCommands(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		ctx := context.Background()
		req := "team-request@lists.example.org"
		e.mustSend(t, "ann@example.net", []string{req}, cmdMail("ann@example.net", req, "help", "", ""))
		if r := e.waitMail(t, "ann@example.net", "Re: help"); !strings.Contains(string(r.Data), "set digest") ||
			r.Header("Auto-Submitted") != "auto-replied" || r.Header("In-Reply-To") == "" {
			t.Errorf("help reply:\n%s", r.Data)
		}
		e.mustSend(t, "ann@example.net", []string{req}, cmdMail("ann@example.net", req, "prefs", "set digest weekly\r\n\r\n-- \r\nAnn", ""))
		r := e.waitMail(t, "ann@example.net", "Re: prefs")
		m, _ := e.st.GetMember(ctx, l.ID, "ann@example.net")
		p, _ := e.st.GetMemberPrefs(ctx, m.ID)
		if m.Mode != store.ModeDigest || p.Digest != store.DigestWeekly || !strings.Contains(string(r.Data), "one digest a week") {
			t.Errorf("after set digest weekly: mode %s digest %s\n%s", m.Mode, p.Digest, r.Data)
		}
		if strings.Contains(string(r.Data), "did not understand") {
			t.Error("the signature was taken for a command")
		}
		e.mustSend(t, "ann@example.net", []string{req}, cmdMail("ann@example.net", req, "hello", "please add me to the other list", ""))
		if r := e.waitMail(t, "ann@example.net", "Re: hello"); !strings.Contains(string(r.Data), "did not understand") ||
			!strings.Contains(string(r.Data), "set nomail") {
			t.Errorf("unknown command reply:\n%s", r.Data)
		}
		e.mustSend(t, "bob@example.com", []string{req}, cmdMail("bob@example.com", req, "set nomail", "", ""))
		e.waitMail(t, "bob@example.com", "Re: set nomail")
		if m, _ := e.st.GetMember(ctx, l.ID, "bob@example.com"); m.Mode != store.ModeNoMail {
			t.Errorf("set nomail: mode %s", m.Mode)
		}
		// Leaving by mail is confirmed (TestLeaveByMailIsConfirmed).
		e.mustSend(t, "bob@example.com", []string{req}, cmdMail("bob@example.com", req, "Re: unsubscribe", "", ""))
		if r := e.waitMail(t, "bob@example.com", "Re: Re: unsubscribe"); !strings.Contains(string(r.Data), "confirmation") {
			t.Errorf("unsubscribe reply:\n%s", r.Data)
		}
		e.waitMail(t, "bob@example.com", "Confirm: leave Team Talk")
		e.mustSend(t, "cat@example.org", []string{"team-leave@lists.example.org"}, cmdMail("cat@example.org", "team-leave@lists.example.org", "bye", "", ""))
		e.waitMail(t, "cat@example.org", "Confirm: leave Team Talk")
		e.mustSend(t, "new@example.org", []string{req}, cmdMail("new@example.org", req, "subscribe", "", ""))
		e.waitMail(t, "new@example.org", "Confirm: join Team Talk")
		e.waitMail(t, "new@example.org", "Re: subscribe")
	})
}

// TestAutoRepliesNotAnswered: vacation replies, bulk mail and bounces to
// the admin addresses get no answer and confirm nothing.
func TestAutoRepliesNotAnswered(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"})
		e.mustSend(t, "v@example.org", []string{"team-join@lists.example.org"}, cmdMail("v@example.org", "team-join@lists.example.org", "join", "", ""))
		confirmAddr := strings.Trim(e.waitMail(t, "v@example.org", "Confirm").Header("Reply-To"), "<>")
		e.sink.Reset()
		for _, c := range []struct{ from, to, subject, extra string }{
			{"v@example.org", confirmAddr, "Out of Office: Re: Confirm", "Auto-Submitted: auto-replied\r\n"},
			{"v@example.org", confirmAddr, "Automatic reply: Confirm: join", ""},
			{"v@example.org", confirmAddr, "Re: Confirm", "X-Autoreply: yes\r\n"},
			{"v@example.org", "team-request@lists.example.org", "help", "Precedence: bulk\r\n"},
			{"v@example.org", "team-join@lists.example.org", "subscribe", "Auto-Submitted: auto-generated\r\n"},
			{"", "team-request@lists.example.org", "help", ""},
			{"mailer-daemon@example.org", "team-leave@lists.example.org", "Undelivered", ""},
		} {
			e.mustSend(t, c.from, []string{c.to}, cmdMail("v@example.org", c.to, c.subject, "I am away.", c.extra))
		}
		// A person's message after them: once it is answered, so would they be.
		e.mustSend(t, "w@example.org", []string{"team-request@lists.example.org"}, cmdMail("w@example.org", "team-request@lists.example.org", "help", "", ""))
		e.waitMail(t, "w@example.org", "Re: help")
		time.Sleep(200 * time.Millisecond)
		if n := len(e.copiesTo("v@example.org")); n != 0 {
			t.Errorf("automatic mail was answered %d times", n)
		}
		if _, err := e.st.GetMember(context.Background(), l.ID, "v@example.org"); err == nil {
			t.Error("an automatic reply to the confirmation confirmed the subscription")
		}
	})
}

func smtpDial(e *env) (*smtp.Client, error) { return smtp.Dial(e.srv.Addr("smtp")) }
