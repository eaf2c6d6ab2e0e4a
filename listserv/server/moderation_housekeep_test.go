package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestExpiryAndReminders runs the engine's housekeeping as of later times:
// reminders go once a day (at once to a moderator who chose the daily
// summary, after RemindAfter to the others), and held posts expire after
// their list's hold time with a notice to the sender.
func TestExpiryAndReminders(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		ctx := context.Background()
		team := e.list(t, &store.List{Address: "team@lists.example.org"}, modTeam...)
		keep := e.list(t, &store.List{Address: "keep@lists.example.org"}, modTeam...)
		never := 0
		if _, err := moderation.UpdateSettings(ctx, e.st, keep.ID, moderation.Change{HoldDays: &never}, "test"); err != nil {
			t.Fatal(err)
		}
		if err := e.st.SetStaffNotify(ctx, team.ID, "owner@example.net", store.NotifyDaily); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"old one", "old two"} {
			e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"}, post("stranger@else.example", s, strings.ReplaceAll(s, " ", ".")+"@x", ""))
			modHeldWith(t, e, s)
		}
		e.mustSend(t, "stranger@else.example", []string{"keep@lists.example.org"}, post("stranger@else.example", "kept", "kept@x", ""))
		modHeldWith(t, e, "kept")
		modSettle(t, e)
		if n := len(modNotices(e, "owner@example.net", "held for moderation")); n != 1 {
			t.Errorf("owner who chose the daily summary got %d held-post notices, want 1 (keep's only)", n)
		}

		eng := moderation.New(e.st, moderation.Config{BaseURL: baseURL, RemindAfter: time.Hour}, quietLog())
		now := time.Now()
		remind := func(at time.Time, want int) {
			t.Helper()
			n, err := eng.Remind(ctx, at)
			if err != nil || n != want {
				t.Errorf("reminders at +%s: %d, %v; want %d", at.Sub(now).Round(time.Minute), n, err, want)
			}
		}
		remind(now, 1) // the owner's daily summary; the moderator's items are too fresh
		remind(now, 0) // once a day
		later := now.Add(2 * time.Hour)
		summaries := 1 // team's daily summary to its owner
		if later.UTC().Format(time.DateOnly) == now.UTC().Format(time.DateOnly) {
			remind(later, 3) // the moderator on both lists, the owner on keep; the owner had today's on team
		} else {
			remind(later, 4) // after midnight (UTC) the owner's next daily summary is due too
			summaries = 2
		}
		e.srv.Engine.Wake()
		modSettle(t, e)
		sum := modNotices(e, "owner@example.net", "team@lists.example.org: 2 item(s) wait")
		if len(sum) != summaries {
			t.Errorf("owner's summaries: %d, want %d", len(sum), summaries)
		}
		for _, m := range sum {
			if !strings.Contains(string(m.Data), "old one") || !strings.Contains(string(m.Data), "/moderate/") {
				t.Errorf("owner's summary does not list the items with links:\n%s", m.Data)
			}
		}

		if err := eng.Housekeep(ctx, now.Add(13*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if hs, _ := e.st.ListHeld(ctx, 0); len(hs) != 3 {
			t.Fatalf("%d items left after 13 days, want all 3", len(hs))
		}
		if err := eng.Housekeep(ctx, now.Add(15*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		hs, _ := e.st.ListHeld(ctx, 0)
		if len(hs) != 1 || hs[0].Subject != "kept" {
			t.Fatalf("after 15 days %d items pending, want only keep's (which never expires)", len(hs))
		}
		e.srv.Engine.Wake()
		modSettle(t, e)
		if n := len(modNotices(e, "stranger@else.example", "expired")); n != 2 {
			t.Errorf("sender got %d expiry notices, want 2", n)
		}
		audit, _ := e.st.ListAudit(ctx, team.ID, 0, 10)
		if len(audit) != 2 || audit[0].Actor != moderation.ActorExpiry || audit[0].Action != string(store.Discard) {
			t.Errorf("audit = %+v, want two discards by expiry", audit)
		}
	})
}
