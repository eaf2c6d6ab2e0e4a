package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// TestHeldParity: `listserv held` acts through moderation.Act, the one
// engine function the web pages and moderators' email replies use, so the
// same action has the same outcome whoever takes it: a spam post rejected
// from the CLI mails nobody (its sender is likely forged), an approval
// counts towards the sender's new-member posts, and the audit rows have one
// shape. Each case is done once by the CLI and once by moderation.Act with
// a moderator's address (what the web and email paths call).
func TestHeldParity(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := b.newCLI(t)
			c.ok("list", "create", "mod@example.org", "--policy", "moderated")
			for _, tc := range []struct {
				verb   string
				act    moderation.Action
				extra  string // header field of the held post
				mails  int    // notices queued
				counts int    // approved posts counted for the sender
			}{
				{"reject", moderation.Reject, "X-Spam-Flag: YES\r\n", 0, 0},
				{"reject", moderation.Reject, "Auto-Submitted: no (typed by a person)\r\n", 1, 0},
				{"approve", moderation.Approve, "", 0, 1},
				{"discard", moderation.Discard, "", 0, 0},
			} {
				var rows [2]*store.Audit
				for i, actor := range []string{"cli", "engine"} {
					db := c.open()
					sender := actor + "." + tc.verb + strconv.Itoa(len(tc.extra)) + "@example.net"
					id := holdPost(t, db, "mod@example.org", sender, tc.extra)
					drainMail(t, db)
					if actor == "cli" {
						c.ok("held", tc.verb, strconv.FormatInt(id, 10), "--reason", "off topic")
					} else if _, err := moderation.Act(t.Context(), db, id, tc.act, "mod@example.net", "off topic"); err != nil {
						t.Fatal(err)
					}
					if n := len(drainMail(t, db)); n != tc.mails {
						t.Errorf("%s %s (%q): %d notices queued, want %d", actor, tc.verb, tc.extra, n, tc.mails)
					}
					h, err := db.GetHeld(t.Context(), id)
					if err != nil {
						t.Fatal(err)
					}
					if n, err := db.ApprovedPosts(t.Context(), h.ListID, sender); err != nil || n != tc.counts {
						t.Errorf("%s %s: approved posts of the sender = %d, %v; want %d", actor, tc.verb, n, err, tc.counts)
					}
					audit, err := db.ListAudit(t.Context(), h.ListID, 0, 1)
					if err != nil || len(audit) != 1 {
						t.Fatalf("audit: %v, %v", audit, err)
					}
					rows[i] = audit[0]
				}
				cli, eng := rows[0], rows[1]
				if cli.Action != eng.Action || cli.Detail != eng.Detail || !strings.HasPrefix(cli.Target, "held:") ||
					!strings.HasPrefix(eng.Target, "held:") || !strings.HasPrefix(cli.Actor, "cli") {
					t.Errorf("%s: audit rows differ in shape:\n cli    %+v\n engine %+v", tc.verb, cli, eng)
				}
			}
		})
	}
}

func holdPost(t *testing.T, db *sqldb.DB, list, from, extra string) int64 {
	t.Helper()
	l, err := db.GetList(t.Context(), list)
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte(extra + "From: " + from + "\r\nSubject: s\r\nMessage-ID: <" + from + ">\r\n\r\nbody\r\n")
	it := &store.Intake{Message: &store.Message{ListID: l.ID, State: store.StateHeld, Reason: "the list is moderated",
		FromAddr: from, EnvelopeFrom: from, Subject: "s", MessageID: from, Raw: raw}}
	if err := db.SaveIntake(t.Context(), []*store.Intake{it}); err != nil {
		t.Fatal(err)
	}
	return it.HeldID
}

func drainMail(t *testing.T, db *sqldb.DB) []*store.QueuedMail {
	t.Helper()
	ms, err := db.ClaimMail(t.Context(), "test", time.Hour, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
