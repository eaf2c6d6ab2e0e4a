package server_test

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Helpers shared by the moderation tests.

// modStart starts a server whose moderation engine looks for new held
// items every 50 ms.
func modStart(t *testing.T, db string, mut ...func(*server.Config)) *env {
	t.Helper()
	fast := func(c *server.Config) { c.Moderation.Poll = 50 * time.Millisecond }
	return start(t, db, append([]func(*server.Config){fast}, mut...)...)
}

// modListCopies are the list's copies of posts to addr (VERP envelope),
// leaving out the server's own notices.
func modListCopies(e *env, addr string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range e.copiesTo(addr) {
		if strings.Contains(m.From, "-bounces+") {
			out = append(out, m)
		}
	}
	return out
}

// modCopyCount counts the list copies the sink holds (moderators' and
// senders' notices left out).
func modCopyCount(e *env) int {
	n := 0
	for _, m := range e.sink.Messages() {
		if strings.Contains(m.From, "-bounces+") {
			n++
		}
	}
	return n
}

// modNotices are the server's own mails to addr (envelope LIST-bounces@ or
// the site address), optionally only those whose subject contains sub.
func modNotices(e *env, addr, sub string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range e.copiesTo(addr) {
		if !strings.Contains(m.From, "-bounces+") && strings.Contains(modSubject(m), sub) {
			out = append(out, m)
		}
	}
	return out
}

// modSubject decodes a message's Subject (notices encode non-ASCII).
func modSubject(m smtpsink.Message) string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header("Subject"))
	if err != nil {
		return m.Header("Subject")
	}
	return s
}

// modHeldWith waits for a pending item with the subject and returns it.
func modHeldWith(t *testing.T, e *env, subject string) *store.Held {
	t.Helper()
	var h *store.Held
	waitFor(t, "held "+subject, func() bool {
		hs, _ := e.st.ListHeld(context.Background(), 0)
		for _, x := range hs {
			if x.Subject == subject {
				h = x
				return true
			}
		}
		return false
	})
	return h
}

// modSettle waits until every held item was notified and nothing is left to
// send (queued mail is deleted once the sink took it).
func modSettle(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	waitFor(t, "notices sent and queue empty", func() bool {
		hs, _ := e.st.UnnotifiedHeld(ctx, 10)
		q, err := e.st.Pending(ctx)
		return len(hs) == 0 && err == nil && q.Idle()
	})
}

// modMustAct acts as a moderator would, failing the test on an error.
func modMustAct(t *testing.T, e *env, id int64, act moderation.Action, by, reason string) *moderation.Outcome {
	t.Helper()
	out, err := moderation.Act(context.Background(), e.st, id, act, by, reason)
	if err != nil {
		t.Fatalf("act %s on %d: %v", act, id, err)
	}
	e.srv.Engine.Wake()
	return out
}

// modTeam: a list with members, a moderator and an owner.
var modTeam = []store.NewMember{
	{Address: "ann@example.net"},
	{Address: "bob@example.com"},
	{Address: "mod@example.net", Role: store.RoleModerator},
	{Address: "owner@example.net", Role: store.RoleOwner},
}

var modTeamEach = []string{"ann@example.net", "bob@example.com", "mod@example.net", "owner@example.net"}

// modDelivered waits until every address in to has exactly one list copy
// of the subject.
func modDelivered(t *testing.T, e *env, subject string, to ...string) {
	t.Helper()
	waitFor(t, "copies of "+subject, func() bool {
		for _, a := range to {
			if len(modCopiesWith(e, a, subject)) < 1 {
				return false
			}
		}
		return true
	})
	for _, a := range to {
		if n := len(modCopiesWith(e, a, subject)); n != 1 {
			t.Errorf("%s got %d copies of %q, want 1", a, n, subject)
		}
	}
}

func modCopiesWith(e *env, addr, subject string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range modListCopies(e, addr) {
		if strings.Contains(m.Header("Subject"), subject) {
			out = append(out, m)
		}
	}
	return out
}
