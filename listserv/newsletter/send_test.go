package newsletter

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
)

// TestSendOnceResumes: an issue whose send stops after the first batch
// (as if the process died) is resumed by the next SendNow; every
// subscriber's copy is queued exactly once, with their sections and
// format, and the issue's research is published (not in the next one).
func TestSendOnceResumes(t *testing.T) {
	ctx := t.Context()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := &store.List{Address: "weekly@example.org", Name: "Weekly", Kind: store.KindNewsletter}
	if err := db.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := db.SetNewsletter(ctx, &store.Newsletter{ListID: l.ID, Schedule: DefaultSchedule}); err != nil {
		t.Fatal(err)
	}
	var ms []store.NewMember
	for i := range 7 {
		ms = append(ms, store.NewMember{Address: "m" + string(rune('a'+i)) + "@x.org"})
	}
	if _, _, err := db.AddMembers(ctx, l.ID, ms); err != nil {
		t.Fatal(err)
	}
	p := store.DefaultPerson("mb@x.org")
	p.Format, p.Sections = store.FormatPlain, []string{"asks"}
	if err := db.SavePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, it := range []*store.Item{
		{Kind: store.ItemEvent, Title: "Soon event", Starts: now.Add(48 * time.Hour), Zone: "Europe/London"},
		{Kind: store.ItemEvent, Title: "Far event", Starts: now.Add(60 * 24 * time.Hour), Zone: "Europe/London"},
		{Kind: store.ItemResearch, Title: "A paper"},
		{Kind: store.ItemAsk, Title: "An ask", Closes: now.Add(72 * time.Hour)},
		{Kind: store.ItemOffer, Title: "Closed offer", Closes: now.Add(-time.Hour)},
	} {
		it.ListID, it.State = l.ID, store.ItemApproved
		if err := Normalize(it, now); err != nil {
			t.Fatal(err)
		}
		if err := db.AddItem(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	e := New(db, token.New([]byte("secret")), Config{BaseURL: "https://l.example.org", Batch: 3}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	batches := 0
	errDied := errors.New("died")
	e.BeforeBatch = func(*store.NewsletterIssue) error {
		if batches++; batches == 2 {
			return errDied
		}
		return nil
	}
	is, n, err := e.SendNow(ctx, l)
	if !errors.Is(err, errDied) || n != 3 {
		t.Fatalf("first run: %d queued, err %v; want 3 and the simulated death", n, err)
	}
	e.BeforeBatch = nil
	is2, n2, err := e.SendNow(ctx, l)
	if err != nil || is2.ID != is.ID || n2 != 4 {
		t.Fatalf("resume: issue %d (was %d), %d queued, err %v; want the same issue and 4 more", is2.ID, is.ID, n2, err)
	}
	got := map[string]string{}
	for {
		mails, err := db.ClaimMail(ctx, "t", time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(mails) == 0 {
			break
		}
		for _, m := range mails {
			if _, dup := got[m.To]; dup {
				t.Errorf("%s got the issue twice", m.To)
			}
			got[m.To] = string(m.Raw)
			if err := db.FinishMail(ctx, m, nil, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(got) != 7 {
		t.Fatalf("%d subscribers got it, want 7", len(got))
	}
	all, plain := got["ma@x.org"], got["mb@x.org"]
	for _, want := range []string{"Soon event", "A paper", "An ask", "multipart/alternative", "Issue 1"} {
		if !strings.Contains(all, want) {
			t.Errorf("full issue lacks %q", want)
		}
	}
	for _, bad := range []string{"Far event", "Closed offer"} {
		if strings.Contains(all, bad) {
			t.Errorf("issue has %q", bad)
		}
	}
	if strings.Contains(plain, "Soon event") || !strings.Contains(plain, "An ask") || strings.Contains(plain, "text/html") {
		t.Errorf("asks-only plain subscriber got:\n%s", plain)
	}
	if last, err := db.GetIssue(ctx, l.ID, 1); err != nil || last.State != store.IssueSent || last.SentCount != 7 {
		t.Errorf("issue after send: %+v %v", last, err)
	}
	// The research went out; the next issue has only the current items.
	is3, _, err := e.SendNow(ctx, l)
	if err != nil || is3.Number != 2 {
		t.Fatalf("second issue: %+v %v", is3, err)
	}
	c, err := Load(ctx, db, l, is3, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Research) != 0 || len(c.Events) != 1 || len(c.Asks) != 1 {
		t.Errorf("second issue: %d research, %d events, %d asks; want 0, 1, 1", len(c.Research), len(c.Events), len(c.Asks))
	}
}
