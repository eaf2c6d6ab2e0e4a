package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/pipeline"
	"github.com/demnet-uk/listserv/listserv/store"
)

// modMimePost is a multipart post with one attachment of the given type.
func modMimePost(from, subject, ctype string) string {
	return "From: " + from + "\r\nTo: team@lists.example.org\r\nSubject: " + subject + "\r\nMessage-ID: <" +
		strings.ReplaceAll(subject, " ", ".") + "@x>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
		"--b1\r\nContent-Type: " + ctype + "\r\nContent-Disposition: attachment; filename=\"file.bin\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b1--\r\n"
}

// TestHoldReasons sends a post for every hold reason over SMTP and checks
// the reason recorded, who is told, and that a held new member's flag
// clears after the approved post.
func TestHoldReasons(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		ctx := context.Background()
		team := e.list(t, &store.List{Address: "team@lists.example.org"}, modTeam...)
		e.list(t, &store.List{Address: "mod@lists.example.org", Policy: store.PolicyModerated}, modTeam...)
		e.list(t, &store.List{Address: "small@lists.example.org", MaxSize: 600}, modTeam...)
		time.Sleep(5 * time.Millisecond) // members above joined before new-member moderation
		one, three, types := 1, 3, "text/*, image/*"
		if _, err := moderation.UpdateSettings(ctx, e.st, team.ID, moderation.Change{NewMemberPosts: &one,
			MaxRecipients: &three, AcceptTypes: &types}, "test"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		e.list(t, &store.List{Address: "other@lists.example.org"}) // keeps list ids apart
		if _, _, err := e.st.AddMembers(ctx, team.ID, []store.NewMember{{Address: "newbie@example.org"}}); err != nil {
			t.Fatal(err)
		}
		teamTo := []string{"team@lists.example.org"}
		send := func(from string, to []string, raw string) { t.Helper(); e.mustSend(t, from, to, raw) }

		send("stranger@else.example", teamTo, post("stranger@else.example", "from outside", "o1@x", ""))
		send("stranger@else.example", teamTo, post("stranger@else.example", "from outside again", "o2@x", ""))
		send("ann@example.net", []string{"mod@lists.example.org"}, post("ann@example.net", "on a moderated list", "m1@x", ""))
		send("ann@example.net", []string{"small@lists.example.org"}, post("ann@example.net", "too big", "b1@x", "")+strings.Repeat("padding line\r\n", 40))
		send("newbie@example.org", teamTo, post("newbie@example.org", "newbie one", "n1@x", ""))
		send("ann@example.net", teamTo, post("ann@example.net", "many recipients", "r1@x", "Cc: a@x.example, b@x.example, c@x.example\r\n"))
		send("ann@example.net", teamTo, modMimePost("ann@example.net", "a program", "application/x-msdownload"))
		send("ann@example.net", teamTo, modMimePost("ann@example.net", "a picture", "image/png"))
		send("ann@example.net", teamTo, post("ann@example.net", "unsubscribe", "u1@x", ""))
		send("ann@example.net", teamTo, strings.Replace(post("ann@example.net", "a question", "u2@x", ""), "Hello list.", "Please remove me from this list!", 1))
		send("bob@example.com", teamTo, post("bob@example.com", "Re: [team] Unsubscribe", "u3@x", "Precedence: bulk\r\n"))

		for subject, reason := range map[string]string{
			"from outside":           pipeline.ReasonNonMember,
			"on a moderated list":    pipeline.ReasonModerated,
			"too big":                pipeline.ReasonTooLarge,
			"newbie one":             moderation.ReasonNewMember,
			"many recipients":        moderation.ReasonTooManyRcpts,
			"a program":              moderation.ReasonAttachmentType + ": application/x-msdownload",
			"unsubscribe":            moderation.ReasonAdministrivia,
			"a question":             moderation.ReasonAdministrivia,
			"Re: [team] Unsubscribe": moderation.ReasonAdministrivia,
		} {
			if h := modHeldWith(t, e, subject); h.Reason != reason {
				t.Errorf("%q held because %q, want %q", subject, h.Reason, reason)
			}
		}
		modDelivered(t, e, "a picture", modTeamEach...) // an accepted type goes out
		modSettle(t, e)

		// Senders are told once a day, each kind of notice; never a bulk sender.
		if n := len(modNotices(e, "stranger@else.example", "awaits moderation")); n != 1 {
			t.Errorf("non-member got %d 'awaits moderation' notices for two posts, want 1", n)
		}
		admin := modNotices(e, "ann@example.net", "Joining or leaving")
		if len(admin) != 1 || !strings.Contains(string(admin[0].Data), "team-leave@lists.example.org") {
			t.Errorf("administrivia notices to ann: %d, want 1 pointing to team-leave@", len(admin))
		} else if admin[0].Header("Auto-Submitted") != "auto-replied" {
			t.Errorf("administrivia notice Auto-Submitted = %q", admin[0].Header("Auto-Submitted"))
		}
		if n := len(modNotices(e, "bob@example.com", "")); n != 0 {
			t.Errorf("bulk sender got %d notices, want none", n)
		}
		// Both moderator and owner hear of each held post on their lists.
		if n := len(modNotices(e, "mod@example.net", "held for moderation")); n != 10 {
			t.Errorf("moderator got %d held-post notices, want 10", n)
		}

		// New member: the approved first post clears the flag.
		modMustAct(t, e, modHeldWith(t, e, "newbie one").ID, moderation.Approve, "mod@example.net", "")
		modDelivered(t, e, "newbie one", append(modTeamEach, "newbie@example.org")...)
		send("newbie@example.org", teamTo, post("newbie@example.org", "newbie two", "n2@x", ""))
		modDelivered(t, e, "newbie two", modTeamEach...)
	})
}
