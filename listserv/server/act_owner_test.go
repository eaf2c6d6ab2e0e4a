package server_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestOwnerMailIsAPrivateForward: mail to LIST-owner@ reaches the owners
// only, as a private forward: the asker's own From, Reply-To set to the
// asker (or kept when they gave one), the subject as written, and no
// List-Unsubscribe/List-Post, so an owner who presses Reply answers the
// asker and not every member.
func TestOwnerMailIsAPrivateForward(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk", SubjectPrefix: "[team]", ReplyTo: "list"}, teamMembers...)
		e.mustSend(t, "asker@else.example", []string{"team-owner@lists.example.org"},
			post("asker@else.example", "A question for the owners", "own1@x", ""))
		e.mustSend(t, "asker@else.example", []string{"team-owner@lists.example.org"},
			post("asker@else.example", "Second question", "own2@x", "Reply-To: <desk@else.example>\r\n"))
		waitFor(t, "owner copies", func() bool { return len(e.copiesTo("owner@example.net")) >= 2 })
		for _, m := range e.copiesTo("owner@example.net") {
			subject := m.Header("Subject")
			if subject != "A question for the owners" && subject != "Second question" {
				t.Errorf("owner copy Subject %q: want it as written, no prefix", subject)
			}
			wantReply := "asker@else.example"
			if subject == "Second question" {
				wantReply = "desk@else.example"
			}
			rt, err := mail.ParseAddress(m.Header("Reply-To"))
			if err != nil || rt.Address != wantReply {
				t.Errorf("%s: Reply-To %q, want %s", subject, m.Header("Reply-To"), wantReply)
			}
			if f, err := mail.ParseAddress(m.Header("From")); err != nil || f.Address != "asker@else.example" {
				t.Errorf("%s: From %q", subject, m.Header("From"))
			}
			for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "List-Post", "List-Help", "List-Subscribe", "List-Archive", "Precedence"} {
				if v := m.Header(h); v != "" {
					t.Errorf("%s: owner copy carries %s: %s", subject, h, v)
				}
			}
			if m.Header("X-Original-To") != "team-owner@lists.example.org" || m.Header("X-Loop") != "team@lists.example.org" {
				t.Errorf("%s: X-Original-To %q, X-Loop %q", subject, m.Header("X-Original-To"), m.Header("X-Loop"))
			}
			if strings.Count(string(m.Data), "\nReply-To:") > 1 {
				t.Errorf("%s: more than one Reply-To:\n%s", subject, m.Data)
			}
		}
		for _, a := range []string{"ann@example.net", "bob@example.com"} {
			if n := len(e.copiesTo(a)); n != 0 {
				t.Errorf("member %s got %d copies of owner mail", a, n)
			}
		}
	})
}
