package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

var heldItemTests = []storeTest{
	{"HeldItems", testHeldItems},
}

// testHeldItems: a submission is a pending item with a held row in the
// newsletter's queue, its acknowledgement queued with it, once per key;
// an edit while it waits is saved and audited; approving the held row
// approves the item, rejecting rejects it; an edit after that is refused.
func testHeldItems(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := newsletterList(t, s, "weekly@example.org")
	it := &store.Item{ListID: l.ID, Kind: store.ItemAsk, Title: "A hall", Submitter: "Ann@example.net", Source: "email",
		Closes: time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)}
	ack := &store.QueuedMail{From: "weekly@example.org", To: "ann@example.net", Raw: []byte("Subject: thanks\r\n\r\nok\r\n")}
	h, err := s.HoldItem(ctx, it, "submitted by email", "submit:1", ack)
	must(t, err, "hold item")
	if h.Kind != store.HeldKindItem || store.HeldItemID(h) != it.ID || h.From != "ann@example.net" || h.Subject != "Ask: A hall" {
		t.Fatalf("held row: %+v (item %d)", h, it.ID)
	}
	if got, _ := s.GetItem(ctx, it.ID); got.State != store.ItemPending {
		t.Fatalf("item state %q, want pending", got.State)
	}
	if ack.ID == 0 {
		t.Error("acknowledgement not queued")
	}
	again := *it
	again.ID = 0
	if _, err := s.HoldItem(ctx, &again, "submitted by email", "submit:1", nil); !errors.Is(err, store.ErrExists) {
		t.Errorf("second hold with the same key: %v, want ErrExists", err)
	}
	q, err := s.ListQueue(ctx, []int64{l.ID}, 0, 10)
	must(t, err, "list queue")
	if len(q) != 1 || q[0].ID != h.ID {
		t.Fatalf("queue has %d rows, want the one held item", len(q))
	}

	edited := *it
	edited.Title, edited.Summary = "A hall for 30", "In Leeds"
	must(t, s.EditHeldItem(ctx, h.ID, &edited, "mod@example.org"), "edit held item")
	if got, _ := s.GetItem(ctx, it.ID); got.Title != "A hall for 30" || got.Summary != "In Leeds" {
		t.Errorf("edit not saved: %+v", got)
	}
	as, err := s.ListAudit(ctx, l.ID, 0, 10)
	must(t, err, "list audit")
	if len(as) == 0 || as[0].Action != "edited" || as[0].Actor != "mod@example.org" {
		t.Errorf("edit not audited: %+v", as)
	}

	_, err = s.ResolveHeld(ctx, h.ID, store.Approve, "mod@example.org", "")
	must(t, err, "approve")
	if got, _ := s.GetItem(ctx, it.ID); got.State != store.ItemApproved || got.Approved.IsZero() {
		t.Errorf("approved held item: item is %q", got.State)
	}
	if err := s.EditHeldItem(ctx, h.ID, &edited, "mod@example.org"); !errors.Is(err, store.ErrAlreadyHandled) {
		t.Errorf("edit after approval: %v, want ErrAlreadyHandled", err)
	}

	it2 := &store.Item{ListID: l.ID, Kind: store.ItemOffer, Title: "Spam", Submitter: "x@example.net"}
	h2, err := s.HoldItem(ctx, it2, "submitted by email", "", nil)
	must(t, err, "hold second")
	_, err = s.ResolveHeld(ctx, h2.ID, store.Discard, "mod@example.org", "")
	must(t, err, "discard")
	if got, _ := s.GetItem(ctx, it2.ID); got.State != store.ItemRejected {
		t.Errorf("discarded held item: item is %q, want rejected", got.State)
	}
}
