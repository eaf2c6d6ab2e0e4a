package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Each engine's conformance tests live in their own file and are added here.
type storeTest = struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

func testInboxClaim(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := &store.List{Address: "inbox@example.org"}
	must(t, s.CreateList(ctx, l), "CreateList")
	in := &store.InboxItem{ListID: l.ID, Kind: "confirm", Token: "tok123", EnvelopeFrom: "a@example.net", Raw: []byte("Subject: x\r\n\r\ny\r\n")}
	must(t, s.SaveInbox(ctx, in), "SaveInbox")
	got, err := s.ClaimInbox(ctx, "node-a", time.Minute, 10)
	must(t, err, "call")
	if len(got) != 1 || got[0].Token != "tok123" || got[0].Kind != "confirm" || string(got[0].Raw) != string(in.Raw) {
		t.Fatalf("claimed %+v", got)
	}
	if again, _ := s.ClaimInbox(ctx, "node-b", time.Minute, 10); len(again) != 0 {
		t.Fatal("a leased inbox item was claimed twice")
	}
	must(t, s.FinishInbox(ctx, got[0], store.InboxDone, ""), "FinishInbox")
	if err := s.FinishInbox(ctx, got[0], store.InboxDone, ""); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("finishing twice: %v, want ErrLeaseLost", err)
	}
}

func testHeldSubscription(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := &store.List{Address: "approve@example.org"}
	must(t, s.CreateList(ctx, l), "CreateList")
	h, err := s.HoldSubscription(ctx, l.ID, store.NewMember{Address: "New@Example.net", Name: "New", Source: "web"}, "owner approval required")
	must(t, err, "call")
	if h.Kind != "subscription" || h.From != "new@example.net" || h.Reason == "" {
		t.Fatalf("held = %+v", h)
	}
	if hs, _ := s.ListHeld(ctx, l.ID); len(hs) != 1 {
		t.Fatalf("queue has %d items, want the subscription request", len(hs))
	}
	_, err = s.ResolveHeld(ctx, h.ID, store.Approve, "owner@example.org", "")
	must(t, err, "call")
	m, err := s.GetMember(ctx, l.ID, "new@example.net")
	if err != nil || m.Name != "New" || m.Source != "web" {
		t.Fatalf("member after approval: %+v %v", m, err)
	}
}

func testWebTokensSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	must(t, s.CreateToken(ctx, &store.Token{Hash: "h1", Address: "A@x.org", Purpose: "login", Expires: now.Add(time.Minute)}), "CreateToken")
	must(t, s.CreateToken(ctx, &store.Token{Hash: "h2", Address: "a@x.org", Purpose: "login", Expires: now.Add(-time.Second)}), "CreateToken")
	if n, _ := s.CountTokens(ctx, "a@x.org", "login", now.Add(-time.Hour)); n != 2 {
		t.Errorf("CountTokens = %d, want 2", n)
	}
	if _, err := s.PeekToken(ctx, "h1", "login", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConsumeToken(ctx, "h2", "login", now); !errors.Is(err, store.ErrNotFound) {
		t.Error("an expired token was consumed")
	}
	if _, err := s.ConsumeToken(ctx, "h1", "other", now); !errors.Is(err, store.ErrNotFound) {
		t.Error("a token was consumed for the wrong purpose")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tk, err := s.ConsumeToken(ctx, "h1", "login", now); err == nil && tk.Address == "a@x.org" {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("token consumed %d times, want once", wins)
	}
	must(t, s.CreateSession(ctx, "s1", "a@x.org", now.Add(time.Hour)), "CreateSession")
	if a, err := s.GetSession(ctx, "s1", now); err != nil || a != "a@x.org" {
		t.Errorf("GetSession = %q %v", a, err)
	}
	must(t, s.DeleteSession(ctx, "s1"), "DeleteSession")
	must(t, s.CreateSession(ctx, "old", "a@x.org", now.Add(-time.Minute)), "CreateSession")
	must(t, s.CreateToken(ctx, &store.Token{Hash: "h3", Address: "a@x.org", Purpose: "login", Created: now.Add(-72 * time.Hour),
		Expires: now.Add(-48 * time.Hour)}), "CreateToken")
	_, err := s.Housekeep(ctx)
	must(t, err, "Housekeep")
	if n, _ := s.CountTokens(ctx, "a@x.org", "login", now.Add(-100*time.Hour)); n != 2 {
		t.Errorf("%d tokens after housekeeping, want the 2 recent ones (the one expired two days ago removed)", n)
	}
	if _, err := s.GetSession(ctx, "s1", now); !errors.Is(err, store.ErrNotFound) {
		t.Error("session survived sign-out")
	}
	l := &store.List{Address: "aud@example.org"}
	must(t, s.CreateList(ctx, l), "CreateList")
	for i := range 3 {
		must(t, s.AddAudit(ctx, &store.Audit{Actor: "mod@x.org", Action: "approved", ListID: l.ID, Target: "held:" + string(rune('1'+i))}), "AddAudit")
	}
	as, err := s.ListAudit(ctx, l.ID, 0, 2)
	must(t, err, "call")
	if len(as) != 2 || as[0].ID < as[1].ID || as[0].Actor != "mod@x.org" || as[0].At.IsZero() {
		t.Errorf("audit page = %+v", as)
	}
}
