package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-message"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// simClock is a clock a test moves by hand.
type simClock struct{ ns atomic.Int64 }

func (c *simClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *simClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func newSimClock(t time.Time) *simClock { c := &simClock{}; c.set(t); return c }

// digestsTo are the digest mails addr got, oldest first.
func (e *env) digestsTo(addr string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range e.copiesTo(addr) {
		if strings.Contains(m.Header("Subject"), " digest, ") {
			out = append(out, m)
		}
	}
	return out
}

// plainText joins the decoded text/plain parts of a mail.
func plainText(t *testing.T, raw []byte) string {
	t.Helper()
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err = ent.Walk(func(_ []int, p *message.Entity, err error) error {
		if err != nil {
			return err
		}
		if ct, _, _ := p.Header.ContentType(); ct == "text/plain" {
			body, err := io.ReadAll(p.Body)
			b.Write(body)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDigestsOverSimulatedDays: posts over five days around the spring
// changeover in London (Sunday 29 March 2026, 01:00 does not exist).
// Daily members get one digest a day with exactly the previous day's
// posts (the one at 01:00 too), the weekly member one on Monday with the
// week's posts, the each-mode member every post and no digest.
func TestDigestsOverSimulatedDays(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		london, _ := time.LoadLocation("Europe/London")
		// Friday 08:00, after that day's 01:00 and 07:00: a clock moved past
		// a due time before the engine saw it would send a digest early.
		clock := newSimClock(time.Date(2026, 3, 27, 8, 0, 0, 0, london))
		e := start(t, db, func(c *server.Config) { c.Clock = clock.now })
		ctx := t.Context()
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"},
			store.NewMember{Address: "poster@example.net"}, store.NewMember{Address: "each@example.net"},
			store.NewMember{Address: "daily@example.net", Mode: store.ModeDigest},
			store.NewMember{Address: "night@example.net", Mode: store.ModeDigest},
			store.NewMember{Address: "weekly@example.net", Mode: store.ModeDigest})
		night, _ := e.st.GetMember(ctx, l.ID, "night@example.net")
		if err := e.st.SetDigestSettings(ctx, &store.DigestSettings{MemberID: night.ID, Hour: 1, Weekday: time.Monday,
			Zone: "Europe/London", Format: store.DigestPlain}); err != nil {
			t.Fatal(err)
		}
		weekly, _ := e.st.GetMember(ctx, l.ID, "weekly@example.net")
		p, _ := e.st.GetMemberPrefs(ctx, weekly.ID)
		p.Digest = store.DigestWeekly
		if err := e.st.SetDelivery(ctx, weekly.ID, store.ModeDigest, p); err != nil {
			t.Fatal(err)
		}
		e.srv.Digest.Wake()
		daily, _ := e.st.GetMember(ctx, l.ID, "daily@example.net")
		waitFor(t, "the members' first due times", func() bool {
			for _, id := range []int64{daily.ID, night.ID, weekly.ID} {
				if d, err := e.st.GetDigestState(ctx, id); err != nil || d.NextDue.IsZero() {
					return false
				}
			}
			return true
		})

		posts := 0
		days := []int{27, 28, 29, 30}
		for _, d := range days {
			clock.set(time.Date(2026, 3, d, 12, 0, 0, 0, london))
			for k := 1; k <= 2; k++ {
				posts++
				subj := fmt.Sprintf("day %d post %d", d, k)
				e.mustSend(t, "poster@example.net", []string{l.Address}, post("poster@example.net", subj, fmt.Sprintf("d%dp%d@example.net", d, k), ""))
			}
			waitFor(t, "each-mode copies", func() bool { return len(e.copiesTo("each@example.net")) == posts })
			// The next morning, after 07:00 local: both daily digests are due.
			clock.set(time.Date(2026, 3, d+1, 7, 30, 0, 0, london))
			e.srv.Digest.Wake()
			n := d - 26
			waitFor(t, "daily digests", func() bool {
				return len(e.digestsTo("daily@example.net")) == n && len(e.digestsTo("night@example.net")) == n
			})
			for _, addr := range []string{"daily@example.net", "night@example.net"} {
				m := e.digestsTo(addr)[n-1]
				text := plainText(t, m.Data)
				for k := 1; k <= 2; k++ {
					if !strings.Contains(text, fmt.Sprintf("day %d post %d", d, k)) {
						t.Errorf("%s digest of day %d lacks post %d", addr, d, k)
					}
				}
				if strings.Count(text, "Message-ID: <") != 2 {
					t.Errorf("%s digest of day %d holds %d posts, want 2", addr, d, strings.Count(text, "Message-ID: <"))
				}
				wantSubj := fmt.Sprintf("[Team Talk] Daily digest, %s (2 messages)", time.Date(2026, 3, d+1, 0, 0, 0, 0, london).Format("Monday 2 January 2006"))
				if got := m.Header("Subject"); got != wantSubj {
					t.Errorf("%s subject = %q, want %q", addr, got, wantSubj)
				}
			}
		}
		waitFor(t, "weekly digest", func() bool { return len(e.digestsTo("weekly@example.net")) == 1 })
		w := e.digestsTo("weekly@example.net")[0]
		if !strings.HasPrefix(w.Header("Subject"), "[Team Talk] Weekly digest, Monday 30 March 2026 (6 messages)") {
			t.Errorf("weekly subject = %q", w.Header("Subject"))
		}
		wtext := plainText(t, w.Data)
		if strings.Contains(wtext, "day 30 post") || !strings.Contains(wtext, "day 27 post 1") {
			t.Errorf("weekly digest holds the wrong posts:\n%s", wtext)
		}
		checkDigestHeaders(t, w)
		if got := e.digestsTo("each@example.net"); len(got) != 0 {
			t.Errorf("each-mode member got %d digests", len(got))
		}
		if got := len(e.copiesTo("daily@example.net")); got != 4 {
			t.Errorf("daily member got %d mails, want 4 digests and no posts", got)
		}
		// Nothing more is due until tomorrow: waking the engine sends nothing.
		before := e.sink.Count()
		e.srv.Digest.Wake()
		if n, err := e.srv.Digest.SendDue(ctx); err != nil || n != 0 {
			t.Errorf("SendDue with nothing due: %d, %v", n, err)
		}
		if e.sink.Count() != before {
			t.Errorf("mail sent with nothing due")
		}
	})
}

func checkDigestHeaders(t *testing.T, m smtpsink.Message) {
	t.Helper()
	if !strings.HasPrefix(m.From, "team-bounces+") {
		t.Errorf("envelope sender %q is not VERP", m.From)
	}
	for name, want := range map[string]string{
		"List-Id": "<team.lists.example.org>", "List-Unsubscribe": baseURL + "/u/",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Precedence": "list",
		"List-Post": "<mailto:team@lists.example.org>", "List-Help": "mailto:team-request@",
	} {
		if !strings.Contains(m.Header(name), want) {
			t.Errorf("%s = %q, want it to contain %q", name, m.Header(name), want)
		}
	}
}

// TestReplyToDigestIsHeld: answering the whole digest goes to the
// moderators, not to every member.
func TestReplyToDigestIsHeld(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"},
			store.NewMember{Address: "poster@example.net"}, store.NewMember{Address: "each@example.net"})
		e.mustSend(t, "poster@example.net", []string{l.Address},
			post("poster@example.net", "Re: [Team Talk] Daily digest, Monday 7 December 2026 (12 messages)", "rd@example.net", ""))
		e.mustSend(t, "poster@example.net", []string{l.Address}, post("poster@example.net", "Re: ordinary thread", "ok@example.net", ""))
		waitFor(t, "the ordinary reply", func() bool { return len(e.copiesTo("each@example.net")) == 1 })
		hs, err := e.st.ListHeld(t.Context(), l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 1 || hs[0].Reason != "reply to a digest" {
			t.Fatalf("held = %+v, want the digest reply with reason %q", hs, "reply to a digest")
		}
		if got := e.copiesTo("each@example.net")[0].Header("Subject"); !strings.Contains(got, "ordinary") {
			t.Errorf("distributed %q", got)
		}
	})
}

// TestDigestPreferencesOnMe: /me saves the digest hour, day, zone and
// format with the delivery choice and says when the next digest goes.
func TestDigestPreferencesOnMe(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		ctx := t.Context()
		m, _ := e.st.GetMember(ctx, l.ID, "ann@example.net")
		b := newBrowser(t, e)
		page := signIn(t, e, b, "ann@example.net")
		if !strings.Contains(page, "Digest time and format") || strings.Contains(page, "next digest:") {
			t.Fatalf("/me before choosing a digest:\n%s", page)
		}
		form := url.Values{"csrf": {csrfOf(t, page)}, "delivery": {"weekly"}, "own_posts": {"on"},
			"digest_hour": {"18"}, "digest_day": {"5"}, "digest_zone": {"America/New_York"}, "digest_format": {"summary"}}
		if code, _ := b.post("/me/delivery/"+strconv.FormatInt(m.ID, 10), form); code != 200 {
			t.Fatalf("save: %d", code)
		}
		d, err := e.st.GetDigestState(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := store.DigestSettings{MemberID: m.ID, Hour: 18, Weekday: time.Friday, Zone: "America/New_York", Format: store.DigestSummary}
		if d.DigestSettings != want || !d.Active || d.Period != store.DigestWeekly {
			t.Errorf("saved %+v active %v period %s", d.DigestSettings, d.Active, d.Period)
		}
		_, page = b.get("/me")
		if !regexp.MustCompile(`next digest: Friday \d{1,2} \w+, 18:00`).MatchString(page) {
			t.Errorf("/me does not say when the next digest goes:\n%s", page)
		}
		form.Set("csrf", csrfOf(t, page))
		form.Set("digest_zone", "Mars/Olympus")
		if code, page := b.post("/me/delivery/"+strconv.FormatInt(m.ID, 10), form); code != 422 || !strings.Contains(page, "time zone") {
			t.Errorf("bad zone: %d", code)
		}
		// set digest by email still works and keeps the chosen time.
		e.mustSend(t, "ann@example.net", []string{"team-request@lists.example.org"},
			"From: ann@example.net\r\nTo: team-request@lists.example.org\r\nSubject: set\r\nMessage-ID: <sd@example.net>\r\n\r\nset digest daily\r\n")
		waitFor(t, "set digest daily by mail", func() bool {
			p, _ := e.st.GetMemberPrefs(ctx, m.ID)
			return p.Digest == store.DigestDaily
		})
		if d, _ := e.st.GetDigestState(ctx, m.ID); d.Hour != 18 || !d.Active {
			t.Errorf("after set digest daily: %+v", d)
		}
	})
}
