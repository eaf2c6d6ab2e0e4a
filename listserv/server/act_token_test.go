package server_test

import (
	"context"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestModerationTokenIsPersonal: a reply token acts only for the moderator
// it was sent to. The owner replying to the moderator's notice (From: the
// owner, so the audit would name the owner) changes nothing; the
// moderator's own reply, From in another case, acts and is audited as the
// token's moderator.
func TestModerationTokenIsPersonal(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		ctx := context.Background()
		e.list(t, &store.List{Address: "team@lists.example.org"}, modTeam...)
		e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"}, post("stranger@else.example", "whose token", "wt@x", ""))
		h := modHeldWith(t, e, "whose token")
		modAddr, _ := modReplyTo(t, e, "mod@example.net")
		modReplyTo(t, e, "owner@example.net")

		// The owner uses the moderator's token. The inbox works in order:
		// once the moderator's "no command" answer is out, it was handled.
		e.mustSend(t, "owner@example.net", []string{modAddr}, modReply("owner@example.net", modAddr, "reject not yours"))
		e.mustSend(t, "mod@example.net", []string{modAddr}, modReply("mod@example.net", modAddr, "hmm"))
		waitFor(t, "answer to the moderator", func() bool { return len(modNotices(e, "mod@example.net", "changed nothing")) == 1 })
		if got, _ := e.st.GetHeld(ctx, h.ID); got.State != "pending" {
			t.Fatalf("another moderator's token acted: %s by %s", got.State, got.HandledBy)
		}

		e.mustSend(t, "Mod@Example.NET", []string{modAddr}, modReply("Mod@Example.NET", modAddr, "discard"))
		waitFor(t, "discarded", func() bool { got, _ := e.st.GetHeld(ctx, h.ID); return got.State == string(store.Discard) })
		audit, err := e.st.ListAudit(ctx, h.ListID, 0, 10)
		if err != nil || len(audit) != 1 || audit[0].Actor != "mod@example.net" {
			t.Errorf("audit = %+v, %v; want one row by mod@example.net", audit, err)
		}
	})
}
