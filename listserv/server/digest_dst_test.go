package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestDigestsAcrossAutumnChangeover: posts over four days around the
// autumn changeover in London (Sunday 25 October 2026, 01:00-02:00 comes
// twice). A daily member at 07:00 and one at 01:00 (the repeated hour)
// get one digest per date, none skipped or doubled; a weekly member on
// Sundays at 01:00 gets one on the changeover day, a weekly member on
// Mondays one the day after, each with the week's posts.
func TestDigestsAcrossAutumnChangeover(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		london, _ := time.LoadLocation("Europe/London")
		// Friday 08:00: the first daily digests are due on Saturday.
		clock := newSimClock(time.Date(2026, 10, 23, 8, 0, 0, 0, london))
		e := start(t, db, func(c *server.Config) { c.Clock = clock.now })
		ctx := t.Context()
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"},
			store.NewMember{Address: "poster@example.net"}, store.NewMember{Address: "each@example.net"},
			store.NewMember{Address: "daily@example.net", Mode: store.ModeDigest},
			store.NewMember{Address: "night@example.net", Mode: store.ModeDigest},
			store.NewMember{Address: "sunday@example.net", Mode: store.ModeDigest},
			store.NewMember{Address: "monday@example.net", Mode: store.ModeDigest})
		var ids []int64
		setDigest := func(addr, period string, hour int, day time.Weekday) {
			m, err := e.st.GetMember(ctx, l.ID, addr)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.st.SetDigestSettings(ctx, &store.DigestSettings{MemberID: m.ID, Hour: hour, Weekday: day,
				Zone: "Europe/London", Format: store.DigestPlain}); err != nil {
				t.Fatal(err)
			}
			p, err := e.st.GetMemberPrefs(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			p.Digest = period
			ids = append(ids, m.ID)
			if err := e.st.SetDelivery(ctx, m.ID, store.ModeDigest, p); err != nil {
				t.Fatal(err)
			}
		}
		setDigest("daily@example.net", store.DigestDaily, 7, time.Monday)
		setDigest("night@example.net", store.DigestDaily, 1, time.Monday)
		setDigest("sunday@example.net", store.DigestWeekly, 1, time.Sunday)
		setDigest("monday@example.net", store.DigestWeekly, 7, time.Monday)
		e.srv.Digest.Wake()
		// Let the engine schedule them before the clock moves on.
		waitFor(t, "the members' first due times", func() bool {
			for _, id := range ids {
				if d, err := e.st.GetDigestState(ctx, id); err != nil || d.NextDue.IsZero() {
					return false
				}
			}
			return true
		})

		// The first 01:30 on the 25th is BST (00:30 UTC); the second, an
		// hour later, GMT.
		firstHalfPastOne := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)
		posts := 0
		for _, d := range []int{23, 24, 25, 26} {
			clock.set(time.Date(2026, 10, d, 12, 0, 0, 0, london))
			for k := 1; k <= 2; k++ {
				posts++
				e.mustSend(t, "poster@example.net", []string{l.Address},
					post("poster@example.net", fmt.Sprintf("day %d post %d", d, k), fmt.Sprintf("o%dp%d@example.net", d, k), ""))
			}
			waitFor(t, "each-mode copies", func() bool { return len(e.copiesTo("each@example.net")) == posts })
			n := d - 22
			if d+1 == 25 {
				// Through both 01:30s: one of the two 01:00s is the due time
				// (which one is time.Date's choice), the other is not.
				clock.set(firstHalfPastOne)
				if _, err := e.srv.Digest.SendDue(ctx); err != nil {
					t.Fatal(err)
				}
				clock.set(firstHalfPastOne.Add(time.Hour))
			} else {
				clock.set(time.Date(2026, 10, d+1, 1, 30, 0, 0, london))
			}
			e.srv.Digest.Wake()
			waitFor(t, fmt.Sprintf("the 01:00 digest of %d October", d+1), func() bool { return len(e.digestsTo("night@example.net")) == n })
			if d+1 == 25 {
				waitFor(t, "the Sunday weekly digest", func() bool { return len(e.digestsTo("sunday@example.net")) == 1 })
				if q, err := e.srv.Digest.SendDue(ctx); err != nil || q != 0 {
					t.Errorf("after the repeated hour SendDue queued %d (%v), want 0", q, err)
				}
			}
			clock.set(time.Date(2026, 10, d+1, 7, 30, 0, 0, london))
			e.srv.Digest.Wake()
			waitFor(t, "the 07:00 digest", func() bool { return len(e.digestsTo("daily@example.net")) == n })
		}
		waitFor(t, "the Monday weekly digest", func() bool { return len(e.digestsTo("monday@example.net")) == 1 })
		for _, addr := range []string{"daily@example.net", "night@example.net"} {
			ds := e.digestsTo(addr)
			if len(ds) != 4 {
				t.Fatalf("%s got %d digests, want 4 (24-27 October)", addr, len(ds))
			}
			for i, m := range ds {
				d := 23 + i
				want := fmt.Sprintf("[Team Talk] Daily digest, %s (2 messages)", time.Date(2026, 10, d+1, 12, 0, 0, 0, london).Format("Monday 2 January 2006"))
				if got := m.Header("Subject"); got != want {
					t.Errorf("%s digest %d: subject %q, want %q", addr, i+1, got, want)
				}
				text := plainText(t, m.Data)
				if !strings.Contains(text, fmt.Sprintf("day %d post 1", d)) || !strings.Contains(text, fmt.Sprintf("day %d post 2", d)) {
					t.Errorf("%s digest of 24+%d October lacks day %d's posts", addr, i, d)
				}
			}
		}
		weekly := map[string][]int{"sunday@example.net": {23, 24}, "monday@example.net": {23, 24, 25}}
		for addr, days := range weekly {
			ds := e.digestsTo(addr)
			if len(ds) != 1 {
				t.Fatalf("%s got %d digests, want 1", addr, len(ds))
			}
			text := plainText(t, ds[0].Data)
			if got := strings.Count(text, "Message-ID: <"); got != 2*len(days) {
				t.Errorf("%s weekly digest holds %d posts, want %d", addr, got, 2*len(days))
			}
			for _, d := range days {
				if !strings.Contains(text, fmt.Sprintf("day %d post 2", d)) {
					t.Errorf("%s weekly digest lacks day %d", addr, d)
				}
			}
		}
		if got := ds0Subject(e.digestsTo("sunday@example.net")); !strings.HasPrefix(got, "[Team Talk] Weekly digest, Sunday 25 October 2026") {
			t.Errorf("Sunday weekly subject = %q", got)
		}
	})
}

func ds0Subject(ds []smtpsink.Message) string {
	if len(ds) == 0 {
		return ""
	}
	return ds[0].Header("Subject")
}

// TestDigestListSizeLimit: the list's own part size (list set
// --digest-max-posts) splits a digest, not the server's 40 posts.
func TestDigestListSizeLimit(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		ctx := t.Context()
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"},
			store.NewMember{Address: "poster@example.net"}, store.NewMember{Address: "each@example.net"},
			store.NewMember{Address: "daily@example.net", Mode: store.ModeDigest})
		if err := e.st.SetListDigest(ctx, &store.ListDigest{ListID: l.ID, Hour: 7, Weekday: time.Monday, MaxPosts: 2}); err != nil {
			t.Fatal(err)
		}
		for k := 1; k <= 3; k++ {
			e.mustSend(t, "poster@example.net", []string{l.Address},
				post("poster@example.net", fmt.Sprintf("post %d", k), fmt.Sprintf("lim%d@example.net", k), ""))
		}
		waitFor(t, "each-mode copies", func() bool { return len(e.copiesTo("each@example.net")) == 3 })
		// The server's own engine may take the member first: count at the sink.
		if _, err := e.srv.Digest.SendNow(ctx, l); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "two parts (2 posts, 1 post)", func() bool { return len(e.digestsTo("daily@example.net")) >= 2 })
		for _, m := range e.digestsTo("daily@example.net") {
			if n := strings.Count(plainText(t, m.Data), "Message-ID: <"); n > 2 {
				t.Errorf("a part holds %d posts, want at most 2", n)
			}
		}
		last, err := e.st.GetListDigest(ctx, l.ID)
		if err != nil || last.LastSent.IsZero() {
			t.Errorf("the list does not say when its digest went out: %+v %v", last, err)
		}
	})
}
