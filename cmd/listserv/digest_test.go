package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestDigestCLI: `digest send --now` queues each pending digest once; a
// second run queues nothing; preview prints a member's digest.
func TestDigestCLI(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := b.newCLI(t)
			c.ok("list", "create", "team@example.org", "--name", "Team Talk")
			c.ok("member", "add", "team@example.org", "d1@example.net", "d2@example.net", "--mode", "digest")
			c.ok("member", "add", "team@example.org", "e@example.net")
			db := c.open()
			ctx := t.Context()
			l, err := db.GetList(ctx, "team@example.org")
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				it := &store.Intake{Message: &store.Message{ListID: l.ID, State: store.StateAccepted, FromAddr: "e@example.net",
					Subject: fmt.Sprintf("post %d", i), MessageID: fmt.Sprintf("p%d@example.net", i), SentAt: time.Now(),
					Raw: []byte(fmt.Sprintf("From: e@example.net\r\nSubject: post %d\r\nMessage-ID: <p%d@example.net>\r\n\r\nbody %d\r\n", i, i, i))}}
				if err := db.SaveIntake(ctx, []*store.Intake{it}); err != nil {
					t.Fatal(err)
				}
			}
			// Members added before the posts: the posts are pending for them.
			if out := c.ok("digest", "send", "team@example.org"); !strings.Contains(out, "queued 0 digest mails") {
				t.Errorf("send without --now before anything is due: %s", out)
			}
			if out := c.ok("digest", "send", "team@example.org", "--now"); !strings.Contains(out, "queued 2 digest mails") {
				t.Errorf("first send --now: %s", out)
			}
			if out := c.ok("digest", "send", "team@example.org", "--now"); !strings.Contains(out, "queued 0 digest mails") {
				t.Errorf("second send --now: %s", out)
			}
			q, err := db.Pending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Both members read the same rendering: one digest job for the two.
			if q.DigestJobs != 1 || q.Mail != 0 {
				t.Errorf("queue holds %d digest jobs and %d mails, want 1 job", q.DigestJobs, q.Mail)
			}
			if j, err := db.ClaimDigestJob(ctx, "check", time.Millisecond); err != nil || len(j.Members) != 2 {
				t.Errorf("the digest job: %+v, %v; want its 2 members", j, err)
			}
			out := c.ok("digest", "preview", "team@example.org", "--format", "plain")
			for _, want := range []string{"Subject: [Team Talk] Daily digest, ", "(3 messages)", "1. post 0 (e@example.net)", "body 2"} {
				if !strings.Contains(out, want) {
					t.Errorf("preview lacks %q:\n%s", want, out)
				}
			}
			if out := c.ok("digest", "preview", "team@example.org", "--member", "d1@example.net"); !strings.Contains(out, "nothing to send") {
				t.Errorf("preview after the digest went: %s", out)
			}
			c.fails(2, []string{"--format"}, "digest", "preview", "team@example.org", "--format", "pdf")
			c.fails(2, []string{"not a member"}, "digest", "preview", "team@example.org", "--member", "x@example.net")
			c.fails(2, []string{"no list"}, "digest", "send", "nope@example.org")
		})
	}
}
