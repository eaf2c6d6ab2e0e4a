package sqldb_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestPostgresSearchSpans checks that the span-by-span window is the
// list's newest matches, newest first, whether it fills inside a span,
// at a span's edge or never, with another list's posts interleaved.
func TestPostgresSearchSpans(t *testing.T) {
	needPostgres(t)
	db := postgresBackend.open(t).(testStore).DB
	ctx := t.Context()
	var lists [2]*store.List
	for i := range lists {
		lists[i] = &store.List{Address: fmt.Sprintf("spans%d@example.org", i), Name: "Spans", Policy: store.PolicyOpen}
		if err := db.CreateList(ctx, lists[i]); err != nil {
			t.Fatalf("create list: %v", err)
		}
	}
	var alpha []int64 // list 0's posts with "alpha", oldest first
	for i := range 60 {
		l := lists[i%2]
		m := &store.Message{ListID: l.ID, EnvelopeFrom: "s@example.net", FromAddr: "s@example.net", FromName: "S",
			Subject: fmt.Sprintf("post %d", i), MessageID: fmt.Sprintf("span%d@example.net", i), SentAt: time.Now(),
			Raw: []byte("Subject: x\r\n\r\nbody\r\n"), State: store.StateAccepted}
		if err := db.SaveIntake(ctx, []*store.Intake{{Message: m}}); err != nil {
			t.Fatalf("save intake: %v", err)
		}
		body := "beta"
		if i%3 == 0 || i%2 == 1 { // every other list's post matches too
			body += " alpha"
			if i%2 == 0 {
				alpha = append(alpha, m.ID)
			}
		}
		d := &store.ArchiveDoc{MessageID: m.ID, ListID: l.ID, Received: m.Received, Subject: m.Subject, SubjectKey: m.Subject, Body: body}
		if err := db.IndexArchive(ctx, []*store.ArchiveDoc{d}); err != nil {
			t.Fatalf("index: %v", err)
		}
	}
	slices.Reverse(alpha)
	if len(alpha) != 10 {
		t.Fatalf("setup: %d alpha posts, want 10", len(alpha))
	}
	for _, c := range []struct{ window, first int }{{3, 1}, {3, 6}, {4, 12}, {10, 1}, {10, 2}, {25, 1}, {25, 100}} {
		got, err := db.SearchSpans(ctx, lists[0].ID, "'alpha'", c.window, c.first)
		if err != nil {
			t.Fatalf("window %d first %d: %v", c.window, c.first, err)
		}
		want := alpha[:min(c.window, len(alpha))]
		if !slices.Equal(got, want) {
			t.Errorf("window %d first %d: got %v, want %v", c.window, c.first, got, want)
		}
	}
}

