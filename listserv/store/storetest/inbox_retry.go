package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// testInboxRetry: RetryInbox counts the attempt, keeps the note and hides
// the item from ClaimInbox until its next attempt; GetInbox reads it all.
func testInboxRetry(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := &store.List{Address: "retry@example.org"}
	must(t, s.CreateList(ctx, l), "CreateList")
	in := &store.InboxItem{ListID: l.ID, Kind: "leave", EnvelopeFrom: "a@example.net", Raw: []byte("Subject: x\r\n\r\ny\r\n")}
	must(t, s.SaveInbox(ctx, in), "SaveInbox")
	got, err := s.ClaimInbox(ctx, "node-a", time.Minute, 10)
	must(t, err, "ClaimInbox")
	if len(got) != 1 || got[0].Attempts != 0 {
		t.Fatalf("claimed %+v", got)
	}
	must(t, s.RetryInbox(ctx, got[0], time.Now().Add(time.Hour), "busy"), "RetryInbox")
	if err := s.RetryInbox(ctx, &store.InboxItem{ID: in.ID, Owner: "node-b"}, time.Now(), "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("RetryInbox by another owner: %v, want ErrLeaseLost", err)
	}
	it, err := s.GetInbox(ctx, in.ID)
	must(t, err, "GetInbox")
	if it.State != "new" || it.Attempts != 1 || it.Note != "busy" || time.Until(it.NextAttempt) < 59*time.Minute || it.Kind != "leave" {
		t.Errorf("after RetryInbox: %+v", it)
	}
	if again, _ := s.ClaimInbox(ctx, "node-b", time.Minute, 10); len(again) != 0 {
		t.Error("an item was claimed before its next attempt")
	}
	if _, err := s.GetInbox(ctx, in.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetInbox of an unknown id: %v, want ErrNotFound", err)
	}
}
