package server_test

import (
	"context"
	"testing"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestSenderRules: accept lets a non-member through, hold holds a member,
// reject rejects (telling the sender once a day), discard drops silently;
// an exact address beats its domain's pattern; an envelope sender cannot
// claim an accept rule; a moderator's ban stops the next post.
func TestSenderRules(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		ctx := context.Background()
		l := e.list(t, &store.List{Address: "team@lists.example.org"}, modTeam...)
		for pattern, action := range map[string]string{
			"Friend@Outside.example": store.RuleAccept,
			"bob@example.com":        store.RuleHold,
			"*@spam.example":         store.RuleReject,
			"ok@spam.example":        store.RuleAccept,
			"*@junk.example":         store.RuleDiscard,
		} {
			if _, err := moderation.SetRule(ctx, e.st, l.ID, pattern, action, "owner@example.net"); err != nil {
				t.Fatal(err)
			}
		}
		to := []string{"team@lists.example.org"}
		e.mustSend(t, "friend@outside.example", to, post("friend@outside.example", "friendly", "f1@x", ""))
		e.mustSend(t, "ok@spam.example", to, post("ok@spam.example", "exact beats domain", "f2@x", ""))
		e.mustSend(t, "bob@example.com", to, post("bob@example.com", "bob held", "h1@x", ""))
		e.mustSend(t, "a@spam.example", to, post("a@spam.example", "spam one", "s1@x", ""))
		e.mustSend(t, "a@spam.example", to, post("a@spam.example", "spam two", "s2@x", ""))
		e.mustSend(t, "x@junk.example", to, post("x@junk.example", "junk", "j1@x", ""))
		// A forged envelope sender does not make a stranger's post accepted.
		e.mustSend(t, "friend@outside.example", to, post("stranger@else.example", "forged envelope", "f3@x", ""))

		modDelivered(t, e, "friendly", modTeamEach...)
		modDelivered(t, e, "exact beats domain", modTeamEach...)
		if h := modHeldWith(t, e, "bob held"); h.Reason != moderation.ReasonRuleHold {
			t.Errorf("bob's post held because %q", h.Reason)
		}
		if h := modHeldWith(t, e, "forged envelope"); h.Reason == moderation.ReasonRuleHold {
			t.Errorf("forged envelope: %q", h.Reason)
		}
		// The engine rejects after the post is held: wait for its notice.
		waitFor(t, "rule rejection notice", func() bool { return len(modNotices(e, "a@spam.example", "rejected")) > 0 })
		modSettle(t, e)
		for _, subject := range []string{"spam one", "spam two", "junk"} {
			if n := len(modCopiesWith(e, "ann@example.net", subject)); n != 0 {
				t.Errorf("%q was distributed", subject)
			}
		}
		if n := len(modNotices(e, "a@spam.example", "rejected")); n != 1 {
			t.Errorf("rejected sender got %d notices for two posts, want 1 a day", n)
		}
		if n := len(modNotices(e, "x@junk.example", "")); n != 0 {
			t.Errorf("discarded sender got %d notices", n)
		}
		if hs, _ := e.st.ListQueue(ctx, []int64{l.ID}, 0, 50); len(hs) != 2 {
			t.Errorf("queue has %d items, want 2 (rejections never wait)", len(hs))
		}
		audit, _ := e.st.ListAudit(ctx, l.ID, 0, 100)
		rejected := 0
		for _, a := range audit {
			if a.Actor == moderation.ActorRule && a.Action == string(store.Reject) {
				rejected++
			}
		}
		if rejected != 2 {
			t.Errorf("audit has %d rule rejections, want 2", rejected)
		}

		// Reject and ban: the next post from the sender is rejected at once.
		out := modMustAct(t, e, modHeldWith(t, e, "forged envelope").ID, moderation.Ban, "mod@example.net", "")
		if !out.Done || out.Notified {
			t.Fatalf("ban: %+v", out)
		}
		modSettle(t, e)
		if n := len(modNotices(e, "stranger@else.example", "rejected")); n != 0 {
			t.Errorf("the ban sent %d rejections, want none (a ban implies spam)", n)
		}
		e.mustSend(t, "stranger@else.example", to, post("stranger@else.example", "after the ban", "f4@x", ""))
		waitFor(t, "banned post rejected", func() bool { return len(modNotices(e, "stranger@else.example", "rejected")) > 0 })
		modSettle(t, e)
		if n := len(modNotices(e, "stranger@else.example", "rejected")); n != 1 {
			t.Errorf("banned sender's next post: %d rejections, want 1 (the reject rule's daily notice)", n)
		}
		rules, _ := e.st.SenderRules(ctx, l.ID)
		if len(rules) != 6 {
			t.Errorf("%d rules after the ban, want 6", len(rules))
		}
	})
}
