package server_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/store"
)

// modReplyTo returns the Reply-To of the held-post notice sent to addr.
func modReplyTo(t *testing.T, e *env, addr string) (string, smtpsink.Message) {
	t.Helper()
	var n []smtpsink.Message
	waitFor(t, "notice to "+addr, func() bool { n = modNotices(e, addr, "held for moderation"); return len(n) > 0 })
	a, err := mail.ParseAddress(n[0].Header("Reply-To"))
	if err != nil {
		t.Fatalf("notice to %s: Reply-To %q: %v", addr, n[0].Header("Reply-To"), err)
	}
	return a.Address, n[0]
}

// modReply is a moderator's reply to a notice: the command on the first
// line, the quoted notice below (which says "approve" too).
func modReply(from, to, firstLine string) string {
	return "From: Someone <" + from + ">\r\nTo: " + to + "\r\nSubject: Re: held for moderation\r\n" +
		"Message-ID: <reply." + strings.ReplaceAll(firstLine, " ", ".") + "." + from + ">\r\n\r\n" +
		firstLine + "\r\n\r\nOn Wed, the list wrote:\r\n> A post to team@lists.example.org is waiting.\r\n> approve\r\n"
}

// TestModerateByEmailReply: a moderator approves a held post by replying
// to its notice; a reply from anyone else, a reply without a command and a
// second reply with the same token change nothing.
func TestModerateByEmailReply(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		ctx := context.Background()
		e.list(t, &store.List{Address: "team@lists.example.org"}, modTeam...)
		e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"}, post("stranger@else.example", "please approve", "pa@x", ""))
		h := modHeldWith(t, e, "please approve")
		modAddr, n := modReplyTo(t, e, "mod@example.net")
		ownerAddr, _ := modReplyTo(t, e, "owner@example.net")
		if !strings.HasPrefix(modAddr, "team-moderate+") || modAddr == ownerAddr {
			t.Fatalf("reply addresses %q and %q: want one team-moderate+TOKEN@ per moderator", modAddr, ownerAddr)
		}
		if n.Header("Auto-Submitted") != "auto-generated" || !strings.Contains(string(n.Data), "Content-Type: message/rfc822") ||
			!strings.Contains(string(n.Data), "Message-ID: <pa@x>") {
			t.Errorf("notice lacks Auto-Submitted or the attached post:\n%s", n.Data)
		}

		// A member who is not a moderator, replying to the owner's notice.
		e.mustSend(t, "ann@example.net", []string{ownerAddr}, modReply("ann@example.net", ownerAddr, "approve"))
		// The moderator, without a command: answered, nothing done. The
		// inbox works in order, so once this answer is out, ann's reply was
		// handled too.
		e.mustSend(t, "mod@example.net", []string{modAddr}, modReply("mod@example.net", modAddr, "Looks fine to me"))
		waitFor(t, "answer to a reply without a command", func() bool { return len(modNotices(e, "mod@example.net", "changed nothing")) == 1 })
		if got, _ := e.st.GetHeld(ctx, h.ID); got.State != "pending" {
			t.Fatalf("a reply from a non-moderator or without a command changed the post: %s by %s", got.State, got.HandledBy)
		}
		if len(modNotices(e, "ann@example.net", "")) != 0 || len(modListCopies(e, "ann@example.net")) != 0 {
			t.Error("the non-moderator's reply got an answer or released the post")
		}

		// The moderator approves; the post reaches every member once.
		e.mustSend(t, "mod@example.net", []string{modAddr}, modReply("mod@example.net", modAddr, "Approve"))
		modDelivered(t, e, "please approve", modTeamEach...)
		waitFor(t, "confirmation", func() bool { return len(modNotices(e, "mod@example.net", "Done:")) == 1 })
		got, _ := e.st.GetHeld(ctx, h.ID)
		if got.State != string(store.Approve) || got.HandledBy != "mod@example.net" {
			t.Errorf("held after the reply: %s by %s", got.State, got.HandledBy)
		}

		// The owner's late "reject" and the moderator's repeat change nothing more.
		e.mustSend(t, "owner@example.net", []string{ownerAddr}, modReply("owner@example.net", ownerAddr, "reject too late"))
		e.mustSend(t, "mod@example.net", []string{modAddr}, modReply("mod@example.net", modAddr, "discard"))
		waitFor(t, "owner told", func() bool { return len(modNotices(e, "owner@example.net", "Already handled")) == 1 })
		waitFor(t, "repeat answered", func() bool { return len(modNotices(e, "mod@example.net", "changed nothing")) == 2 })
		modSettle(t, e)
		if len(modNotices(e, "stranger@else.example", "rejected")) != 0 {
			t.Error("the late reject sent a rejection")
		}
		modDelivered(t, e, "please approve", modTeamEach...)
		audit, _ := e.st.ListAudit(ctx, h.ListID, 0, 10)
		if len(audit) != 1 || audit[0].Actor != "mod@example.net" || audit[0].Action != "approved" {
			t.Errorf("audit = %+v, want the one approval", audit)
		}
	})
}
