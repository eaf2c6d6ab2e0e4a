package bounce

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// queued takes the mail queued so far, by subject and recipient.
func queued(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	ms, err := db.ClaimMail(context.Background(), "test", time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		h, _, err := mailhdr.Split(m.Raw)
		if err != nil {
			t.Fatal(err)
		}
		subj := strings.Join(strings.Fields(h.Get("Subject")), " ")
		out = append(out, m.To+": "+subj)
		if err := db.FinishMail(context.Background(), m, nil, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestRewarnings: a member disabled by bounces is warned again after one
// week and two, removed a week later when the list says so, and the
// owners get a summary each time; a re-enabled member's warnings stop.
func TestRewarnings(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := &testClock{t: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}
	e := New(db, token.New([]byte("0123456789abcdef0123456789abcdef")), Config{Threshold: 1, Now: clk.now, BaseURL: "https://x"},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	l := &store.List{Address: "team@lists.example.org"}
	if err := db.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddMembers(ctx, l.ID, []store.NewMember{{Address: "dead@example.net"}, {Address: "back@example.net"},
		{Address: "owner@example.org", Role: store.RoleOwner}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetListDeliverability(ctx, &store.ListDeliverability{ListID: l.ID, DMARCAction: store.DMARCMunge, RemoveAfterWarnings: true}); err != nil {
		t.Fatal(err)
	}
	dead, _ := db.GetMember(ctx, l.ID, "dead@example.net")
	back, _ := db.GetMember(ctx, l.ID, "back@example.net")
	for _, m := range []*store.Member{dead, back} {
		if err := e.score(ctx, l, m, 0, Permanent); err != nil {
			t.Fatal(err)
		}
	}
	if got := queued(t, db); len(got) != 4 { // each member's notice and an owner line each
		t.Fatalf("on disabling: %q", got)
	}
	step := func(want ...string) {
		t.Helper()
		if _, err := e.Rewarn(ctx); err != nil {
			t.Fatal(err)
		}
		got := queued(t, db)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("at %s: got\n%s\nwant\n%s", clk.now().Format(time.DateOnly), strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	clk.add(6 * 24 * time.Hour)
	step() // not due yet: nothing (the positive steps follow)
	if _, err := e.Enable(ctx, back.ID); err != nil {
		t.Fatal(err)
	}
	clk.add(24 * time.Hour)
	step("dead@example.net: Reminder 1: your mail from team@lists.example.org is still paused",
		"owner@example.org: Bounces on team@lists.example.org: warnings and removals")
	clk.add(7 * 24 * time.Hour)
	step("dead@example.net: Reminder 2: your mail from team@lists.example.org is still paused",
		"owner@example.org: Bounces on team@lists.example.org: warnings and removals")
	clk.add(7 * 24 * time.Hour)
	step("owner@example.org: Bounces on team@lists.example.org: warnings and removals")
	if _, err := db.GetMember(ctx, l.ID, "dead@example.net"); err == nil {
		t.Fatal("dead@ is still a member after the last warning")
	}
	if m, err := db.GetMember(ctx, l.ID, "back@example.net"); err != nil || m.Status != store.StatusEnabled {
		t.Fatalf("re-enabled member: %+v %v", m, err)
	}
	clk.add(7 * 24 * time.Hour)
	step() // nothing left
}
