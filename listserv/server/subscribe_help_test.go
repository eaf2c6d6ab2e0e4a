package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestHelpInSubjectAndBodyAnsweredOnce: "help" as the subject and again
// as the body (as phones' mail apps send it) brings one reply that runs
// it once; a message with two different commands still runs both.
func TestHelpInSubjectAndBodyAnsweredOnce(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		req := "team-request@lists.example.org"
		e.mustSend(t, "ann@example.net", []string{req}, cmdMail("ann@example.net", req, "Help", "help\r\nHELP\r\n", ""))
		r := e.waitMail(t, "ann@example.net", "Re: Help")
		e.mustSend(t, "bob@example.com", []string{req}, cmdMail("bob@example.com", req, "help", "set nomail\r\nhelp", ""))
		r2 := e.waitMail(t, "bob@example.com", "Re: help")
		waitFor(t, "the outbound queue to empty", func() bool {
			q, err := e.st.Pending(context.Background())
			return err == nil && q.Idle()
		})
		if n := len(e.mailsTo("ann@example.net", "")); n != 1 {
			t.Errorf("%d mails to ann for one help request, want 1", n)
		}
		body := string(r.Data)
		if n := strings.Count(body, "> help"); n != 1 || strings.Count(body, "set digest weekly") != 1 {
			t.Errorf("the reply runs help %d times, want once:\n%s", n, body)
		}
		body2 := string(r2.Data)
		if strings.Count(body2, "> help") != 1 || strings.Count(body2, "> set nomail") != 1 || !strings.Contains(body2, "get no mail") {
			t.Errorf("help and set nomail in one message; reply:\n%s", body2)
		}
	})
}
