// Package storetest is the conformance suite every store.Store must pass.
// Each store's tests call Run with a function that opens a fresh, empty
// store; every subtest opens its own.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// MemberStatusSetter is implemented by stores under test that can set a
// member's status directly. The Store interface has no such method (status
// changes belong to the bounce engine), so the suite uses it, when the
// store offers it, to check that disabled members get no fan-out copies.
type MemberStatusSetter interface {
	SetMemberStatus(ctx context.Context, memberID int64, status string) error
}

// Run runs the conformance suite. open must return a fresh, empty store and
// arrange for it to be closed when t ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Lists", testLists},
		{"ListHelpers", testListHelpers},
		{"ListByListID", testListByListID},
		{"Members", testMembers},
		{"MembersBulk", testMembersBulk},
		{"Intake", testIntake},
		{"RawRoundTrip", testRawRoundTrip},
		{"HeldApprove", testHeldApprove},
		{"HeldRejectDiscard", testHeldRejectDiscard},
		{"HeldConcurrent", testHeldConcurrent},
		{"FanoutChunks", testFanoutChunks},
		{"ChunkLeaseExpiry", testChunkLeaseExpiry},
		{"ChunkCheckpoint", testChunkCheckpoint},
		{"ChunkConcurrentClaimers", testChunkConcurrentClaimers},
		{"FanoutSkipsFinished", testFanoutSkipsFinished},
		{"AudienceOwners", testAudienceOwners},
		{"Retries", testRetries},
		{"MailQueue", testMailQueue},
		{"Outbox", testOutbox},
		{"Secret", testSecret},
		{"Pending", testPending},
		{"Inbox", testInbox},
		{"InboxClaim", testInboxClaim},
		{"HeldSubscription", testHeldSubscription},
		{"WebTokensSessions", testWebTokensSessions},
	}
	tests = append(tests, moderationTests...)
	tests = append(tests, subscriptionTests...)
	tests = append(tests, dedupTests...)
	tests = append(tests, auditedTests...)
	tests = append(tests, storeTest{"InboxRetry", testInboxRetry})
	tests = append(tests, digestTests...)
	tests = append(tests, storeTest{"MailShared", testMailShared}, storeTest{"DigestJobs", testDigestJobs},
		storeTest{"DigestJobMembersByKey", testDigestJobMembersByKey})
	tests = append(tests, opsTests...)
	tests = append(tests, bounceTests...)
	tests = append(tests, archiveTests...)
	tests = append(tests, imapTests...)
	tests = append(tests, itemTests...)
	tests = append(tests, feedTests...)
	tests = append(tests, heldItemTests...)
	tests = append(tests, deliverabilityTests...)
	tests = append(tests, ownersTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			tc.fn(t, s)
		})
	}
}

// ---------------------------------------------------------------- helpers

var msgSeq atomic.Int64

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: err = %v, want %v", what, err, target)
	}
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mustList(t *testing.T, s store.Store, address string) *store.List {
	t.Helper()
	l := &store.List{Address: address, Name: address}
	must(t, s.CreateList(t.Context(), l), "create list "+address)
	if l.ID == 0 {
		t.Fatalf("create list %s: ID not set", address)
	}
	return l
}

// addMembers adds ms and fails unless every one was new; it returns the
// members keyed by normalised address.
func addMembers(t *testing.T, s store.Store, listID int64, ms []store.NewMember) map[string]*store.Member {
	t.Helper()
	added, skipped, err := s.AddMembers(t.Context(), listID, ms)
	must(t, err, "add members")
	if added != len(ms) || skipped != 0 {
		t.Fatalf("add members: added %d skipped %d, want %d and 0", added, skipped, len(ms))
	}
	out := make(map[string]*store.Member, len(ms))
	for _, m := range allMembers(t, s, listID) {
		out[store.NormalizeAddress(m.Address)] = m
	}
	return out
}

// nMembers makes n each-mode members named prefix0000@domain...
func nMembers(prefix string, n int) []store.NewMember {
	ms := make([]store.NewMember, n)
	for i := range ms {
		ms[i] = store.NewMember{Address: fmt.Sprintf("%s%05d@example.org", prefix, i)}
	}
	return ms
}

func allMembers(t *testing.T, s store.Store, listID int64) []*store.Member {
	t.Helper()
	var out []*store.Member
	after := int64(0)
	for {
		page, err := s.ListMembers(t.Context(), listID, after, 5000)
		must(t, err, "list members")
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].ID
	}
}

func rawMessage(subject string) []byte {
	return []byte("From: Sender <sender@example.net>\r\nTo: list@example.org\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + subject + "@example.net>\r\n\r\nBody of " + subject + "\r\n")
}

func newMsg(listID int64, state, subject string) *store.Message {
	n := msgSeq.Add(1)
	return &store.Message{
		ListID:       listID,
		EnvelopeFrom: "bounce@example.net",
		FromAddr:     fmt.Sprintf("sender%d@example.net", n),
		FromName:     "Sender",
		Subject:      subject,
		MessageID:    fmt.Sprintf("m%d.%d@example.net", n, time.Now().UnixNano()),
		SentAt:       time.UnixMilli(time.Now().UnixMilli()),
		Raw:          rawMessage(subject),
		State:        state,
	}
}

// intake saves one message in its own batch.
func intake(t *testing.T, s store.Store, listID int64, state, subject string) *store.Intake {
	t.Helper()
	it := &store.Intake{Message: newMsg(listID, state, subject)}
	if state == store.StateHeld {
		it.Message.Reason = "held: " + subject
	}
	must(t, s.SaveIntake(t.Context(), []*store.Intake{it}), "save intake")
	if it.Message.ID == 0 {
		t.Fatal("save intake: message ID not set")
	}
	return it
}

// drain claims chunks as owner until there is no work, completing each, and
// returns how often each member was in a chunk and the chunks claimed.
func drain(t *testing.T, s store.Store, owner string, size int) (map[int64]int, []*store.Chunk) {
	t.Helper()
	ctx := t.Context()
	seen := map[int64]int{}
	var chunks []*store.Chunk
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("drain: ClaimChunk never ran out of work")
		}
		c, err := s.ClaimChunk(ctx, owner, time.Minute, size)
		if errors.Is(err, store.ErrNotFound) {
			return seen, chunks
		}
		must(t, err, "claim chunk")
		ms, err := s.ChunkMembers(ctx, c)
		must(t, err, "chunk members")
		if len(ms) > size {
			t.Errorf("chunk %d has %d members, more than size %d", c.ID, len(ms), size)
		}
		for _, m := range ms {
			seen[m.ID]++
		}
		must(t, s.CompleteChunk(ctx, c, store.ChunkResult{Sent: len(ms)}), "complete chunk")
		chunks = append(chunks, c)
	}
}

// checkExactlyOnce fails unless got (member id -> times reached) holds
// every member of want exactly once and nothing else.
func checkExactlyOnce(t *testing.T, got map[int64]int, want map[int64]bool, what string) {
	t.Helper()
	bad := 0
	for id, n := range got {
		if !want[id] {
			t.Errorf("%s: member %d reached but not expected", what, id)
			bad++
		} else if n != 1 {
			t.Errorf("%s: member %d reached %d times", what, id, n)
			bad++
		}
		if bad > 10 {
			t.Fatalf("%s: too many errors", what)
		}
	}
	for id := range want {
		if got[id] == 0 {
			t.Errorf("%s: member %d never reached", what, id)
			bad++
		}
		if bad > 10 {
			t.Fatalf("%s: too many errors", what)
		}
	}
}

func pending(t *testing.T, s store.Store) store.QueueStats {
	t.Helper()
	q, err := s.Pending(t.Context())
	must(t, err, "pending")
	return q
}

// ---------------------------------------------------------------- lists

func testLists(t *testing.T, s store.Store) {
	ctx := t.Context()
	team := &store.List{Address: "Team@Example.ORG", Name: "Team", Description: "The team", Policy: store.PolicyOpen}
	must(t, s.CreateList(ctx, team), "create list")
	if team.ID == 0 {
		t.Fatal("CreateList did not set ID")
	}
	if team.UIDValidity == 0 {
		t.Error("CreateList: UIDValidity is zero")
	}

	for _, dup := range []string{"team@example.org", "TEAM@example.org", " team@EXAMPLE.org "} {
		err := s.CreateList(ctx, &store.List{Address: dup, Name: "dup"})
		wantErr(t, err, store.ErrExists, "CreateList duplicate "+dup)
	}

	for _, addr := range []string{"team@example.org", "TEAM@EXAMPLE.ORG", "Team@Example.ORG"} {
		got, err := s.GetList(ctx, addr)
		if err != nil {
			t.Errorf("GetList(%q): %v", addr, err)
			continue
		}
		if got.ID != team.ID || got.Address != "team@example.org" || got.Name != "Team" ||
			got.Description != "The team" || got.Policy != store.PolicyOpen {
			t.Errorf("GetList(%q) = %+v", addr, got)
		}
		if got.UIDValidity != team.UIDValidity || got.UIDValidity == 0 {
			t.Errorf("GetList(%q).UIDValidity = %d, want %d (non-zero)", addr, got.UIDValidity, team.UIDValidity)
		}
		if d := time.Since(got.Created); got.Created.IsZero() || d < -time.Minute || d > time.Minute {
			t.Errorf("GetList(%q).Created = %v, want about now", addr, got.Created)
		}
	}
	byID, err := s.GetListByID(ctx, team.ID)
	must(t, err, "GetListByID")
	if byID.Address != "team@example.org" || byID.UIDValidity != team.UIDValidity {
		t.Errorf("GetListByID = %+v", byID)
	}

	_, err = s.GetList(ctx, "nosuch@example.org")
	wantErr(t, err, store.ErrNotFound, "GetList unknown")
	_, err = s.GetListByID(ctx, team.ID+1000)
	wantErr(t, err, store.ErrNotFound, "GetListByID unknown")

	// AllLists is ordered by address.
	for _, a := range []string{"zeta@example.org", "alpha@example.org", "mid@example.com"} {
		mustList(t, s, a)
	}
	all, err := s.AllLists(ctx)
	must(t, err, "AllLists")
	var addrs []string
	for _, l := range all {
		addrs = append(addrs, l.Address)
	}
	want := []string{"alpha@example.org", "mid@example.com", "team@example.org", "zeta@example.org"}
	if !slices.Equal(addrs, want) {
		t.Errorf("AllLists = %v, want %v", addrs, want)
	}

	// UpdateList saves settings but not the address or UIDVALIDITY.
	upd := *byID
	upd.Name = "Team 2"
	upd.Description = "Changed"
	upd.Policy = store.PolicyModerated
	upd.Archive = "members"
	upd.SubjectPrefix = "[team]"
	upd.ReplyTo = "author"
	upd.MaxSize = 12345
	must(t, s.UpdateList(ctx, &upd), "UpdateList")
	got, err := s.GetListByID(ctx, team.ID)
	must(t, err, "GetListByID after update")
	if got.Name != "Team 2" || got.Description != "Changed" || got.Policy != store.PolicyModerated ||
		got.Archive != "members" || got.SubjectPrefix != "[team]" || got.ReplyTo != "author" || got.MaxSize != 12345 {
		t.Errorf("after UpdateList: %+v", got)
	}
	if got.Address != "team@example.org" || got.UIDValidity != team.UIDValidity {
		t.Errorf("UpdateList changed address or UIDValidity: %+v", got)
	}
	other, err := s.GetList(ctx, "alpha@example.org")
	must(t, err, "GetList alpha")
	if other.Name != "alpha@example.org" {
		t.Errorf("UpdateList touched another list: %+v", other)
	}

	ghost := *got
	ghost.ID = team.ID + 1000
	wantErr(t, s.UpdateList(ctx, &ghost), store.ErrNotFound, "UpdateList unknown")
}

func testListHelpers(t *testing.T, s store.Store) {
	l := mustList(t, s, "Team@Example.org")
	if l.Address != "team@example.org" {
		t.Errorf("CreateList left Address %q, want lower case", l.Address)
	}
	if got := l.ListID(); got != "team.example.org" {
		t.Errorf("ListID = %q", got)
	}
	if got := l.SubAddress("request"); got != "team-request@example.org" {
		t.Errorf("SubAddress(request) = %q", got)
	}
	if got := l.SubAddress("bounces"); got != "team-bounces@example.org" {
		t.Errorf("SubAddress(bounces) = %q", got)
	}
	if l.LocalPart() != "team" || l.Domain() != "example.org" {
		t.Errorf("LocalPart/Domain = %q %q", l.LocalPart(), l.Domain())
	}
	if got := store.NormalizeAddress("  Bob@Example.ORG \t"); got != "bob@example.org" {
		t.Errorf("NormalizeAddress = %q", got)
	}
}

// ---------------------------------------------------------------- members

func testMembers(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "team@example.org")
	l2 := mustList(t, s, "other@example.org")

	added, skipped, err := s.AddMembers(ctx, l.ID, []store.NewMember{
		{Address: "Alice@Example.org", Name: "Alice"},
		{Address: "bob@example.org", Name: "Bob", Role: store.RoleOwner, Mode: store.ModeDigest, Source: "web"},
		{Address: "ALICE@example.ORG", Name: "Alice again"}, // duplicate within the batch
		{Address: "  carol@example.org ", Role: store.RoleModerator, Mode: store.ModeNoMail},
	})
	must(t, err, "AddMembers")
	if added != 3 || skipped != 1 {
		t.Errorf("AddMembers: added %d skipped %d, want 3 and 1", added, skipped)
	}
	added, skipped, err = s.AddMembers(ctx, l.ID, []store.NewMember{
		{Address: "alice@EXAMPLE.org"}, {Address: "dave@example.org"}, {Address: "Bob@example.org"},
	})
	must(t, err, "AddMembers again")
	if added != 1 || skipped != 2 {
		t.Errorf("AddMembers again: added %d skipped %d, want 1 and 2", added, skipped)
	}
	if n, err := s.CountMembers(ctx, l.ID); err != nil || n != 4 {
		t.Errorf("CountMembers = %d, %v; want 4", n, err)
	}
	added, skipped, err = s.AddMembers(ctx, l.ID, nil)
	if err != nil || added != 0 || skipped != 0 {
		t.Errorf("AddMembers(nil) = %d, %d, %v", added, skipped, err)
	}

	alice, err := s.GetMember(ctx, l.ID, "aLiCe@example.ORG")
	must(t, err, "GetMember case-insensitive")
	if store.NormalizeAddress(alice.Address) != "alice@example.org" || alice.Name != "Alice" || alice.ListID != l.ID {
		t.Errorf("alice = %+v (first add must win)", alice)
	}
	if alice.Role != store.RoleMember || alice.Mode != store.ModeEach || alice.Status != store.StatusEnabled {
		t.Errorf("alice defaults: role %q mode %q status %q", alice.Role, alice.Mode, alice.Status)
	}
	if alice.BounceScore != 0 {
		t.Errorf("alice bounce score %v", alice.BounceScore)
	}
	if d := time.Since(alice.Created); d < -time.Minute || d > time.Minute {
		t.Errorf("alice.Created = %v", alice.Created)
	}
	bob, err := s.GetMember(ctx, l.ID, "BOB@example.org")
	must(t, err, "GetMember bob")
	if bob.Role != store.RoleOwner || bob.Mode != store.ModeDigest || bob.Source != "web" ||
		bob.Status != store.StatusEnabled || bob.Name != "Bob" {
		t.Errorf("bob = %+v", bob)
	}
	if !bob.CanPostAnnounce() || alice.CanPostAnnounce() {
		t.Error("CanPostAnnounce: owner must, plain member must not")
	}
	carol, err := s.GetMember(ctx, l.ID, "carol@example.org")
	must(t, err, "GetMember carol (address was padded with spaces)")
	if store.NormalizeAddress(carol.Address) != "carol@example.org" || carol.Role != store.RoleModerator || carol.Mode != store.ModeNoMail {
		t.Errorf("carol = %+v", carol)
	}
	byID, err := s.GetMemberByID(ctx, alice.ID)
	must(t, err, "GetMemberByID")
	if byID.ID != alice.ID || byID.Address != alice.Address {
		t.Errorf("GetMemberByID = %+v", byID)
	}

	// Another list is separate.
	_, err = s.GetMember(ctx, l2.ID, "alice@example.org")
	wantErr(t, err, store.ErrNotFound, "GetMember on other list")
	added, skipped, err = s.AddMembers(ctx, l2.ID, []store.NewMember{{Address: "alice@example.org"}})
	if err != nil || added != 1 || skipped != 0 {
		t.Errorf("AddMembers same address on other list = %d, %d, %v", added, skipped, err)
	}
	if n, _ := s.CountMembers(ctx, l2.ID); n != 1 {
		t.Errorf("CountMembers other = %d", n)
	}

	_, err = s.GetMember(ctx, l.ID, "nobody@example.org")
	wantErr(t, err, store.ErrNotFound, "GetMember unknown")
	_, err = s.GetMemberByID(ctx, alice.ID+100000)
	wantErr(t, err, store.ErrNotFound, "GetMemberByID unknown")

	// ListMembers pages by id.
	page, err := s.ListMembers(ctx, l.ID, 0, 3)
	must(t, err, "ListMembers")
	if len(page) != 3 {
		t.Fatalf("ListMembers limit 3: got %d", len(page))
	}
	rest, err := s.ListMembers(ctx, l.ID, page[2].ID, 3)
	must(t, err, "ListMembers page 2")
	if len(rest) != 1 {
		t.Errorf("ListMembers page 2: got %d, want 1", len(rest))
	}
	for _, m := range append(page, rest...) {
		if m.ListID != l.ID {
			t.Errorf("ListMembers returned member of list %d", m.ListID)
		}
	}

	// Removal.
	n, err := s.RemoveMembers(ctx, l.ID, []string{"BOB@Example.org", "nobody@example.org"})
	if err != nil || n != 1 {
		t.Errorf("RemoveMembers = %d, %v; want 1", n, err)
	}
	_, err = s.GetMember(ctx, l.ID, "bob@example.org")
	wantErr(t, err, store.ErrNotFound, "GetMember removed")
	n, err = s.RemoveMembers(ctx, l.ID, []string{"bob@example.org"})
	if err != nil || n != 0 {
		t.Errorf("RemoveMembers again = %d, %v; want 0", n, err)
	}
	must(t, s.RemoveMemberByID(ctx, carol.ID), "RemoveMemberByID")
	wantErr(t, s.RemoveMemberByID(ctx, carol.ID), store.ErrNotFound, "RemoveMemberByID again")
	_, err = s.GetMemberByID(ctx, carol.ID)
	wantErr(t, err, store.ErrNotFound, "GetMemberByID removed")
	if n, _ := s.CountMembers(ctx, l.ID); n != 2 {
		t.Errorf("CountMembers after removals = %d, want 2", n)
	}
	if n, _ := s.CountMembers(ctx, l2.ID); n != 1 {
		t.Errorf("removal touched other list: CountMembers = %d", n)
	}
	// A removed address can join again.
	added, _, err = s.AddMembers(ctx, l.ID, []store.NewMember{{Address: "bob@example.org"}})
	if err != nil || added != 1 {
		t.Errorf("re-add removed = %d, %v", added, err)
	}
}

func testMembersBulk(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "big@example.org")
	const n = 20000
	ms := nMembers("User", n)
	ms[7].Address = "User00000@EXAMPLE.org" // duplicate of ms[0] in the same batch
	start := time.Now()
	added, skipped, err := s.AddMembers(ctx, l.ID, ms)
	must(t, err, "bulk AddMembers")
	t.Logf("added %d members in %v", added, time.Since(start))
	if added != n-1 || skipped != 1 {
		t.Errorf("bulk AddMembers: added %d skipped %d, want %d and 1", added, skipped, n-1)
	}
	if got, err := s.CountMembers(ctx, l.ID); err != nil || got != n-1 {
		t.Errorf("CountMembers = %d, %v; want %d", got, err, n-1)
	}

	// Adding them all again plus ten new ones skips the old ones.
	more := append(nMembers("user", n), nMembers("new", 10)...)
	added, skipped, err = s.AddMembers(ctx, l.ID, more)
	must(t, err, "bulk AddMembers again")
	if added != 11 || skipped != n-1 {
		// user00007 was the replaced one, so it is new this time.
		t.Errorf("bulk AddMembers again: added %d skipped %d, want 11 and %d", added, skipped, n-1)
	}
	total := int64(n + 10)
	if got, _ := s.CountMembers(ctx, l.ID); got != total {
		t.Errorf("CountMembers = %d, want %d", got, total)
	}

	// Keyset pagination visits each member exactly once, in id order.
	seen := map[int64]bool{}
	keys := map[string]bool{}
	after, pages := int64(0), 0
	for {
		page, err := s.ListMembers(ctx, l.ID, after, 777)
		must(t, err, "ListMembers")
		if len(page) == 0 {
			break
		}
		pages++
		if len(page) > 777 {
			t.Fatalf("page of %d > limit", len(page))
		}
		for _, m := range page {
			if m.ID <= after {
				t.Fatalf("ListMembers(after %d) returned id %d: not ascending", after, m.ID)
			}
			if seen[m.ID] {
				t.Fatalf("member %d visited twice", m.ID)
			}
			seen[m.ID] = true
			keys[store.NormalizeAddress(m.Address)] = true
			after = m.ID
		}
	}
	if int64(len(seen)) != total || int64(len(keys)) != total {
		t.Errorf("pagination visited %d members (%d addresses), want %d", len(seen), len(keys), total)
	}
	if want := (int(total) + 776) / 777; pages != want {
		t.Errorf("pagination took %d pages, want %d", pages, want)
	}
}

// ---------------------------------------------------------------- intake

func testIntake(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mustList(t, s, "a@example.org")
	b := mustList(t, s, "b@example.org")

	heldA := newMsg(a.ID, store.StateHeld, "held in a")
	heldA.Reason = "not a member"
	heldB := newMsg(b.ID, store.StateHeld, "held in b")
	heldB.Reason = "too big"
	dropped := newMsg(a.ID, store.StateDropped, "auto-reply")
	dropped.Reason = "loop"
	items := []*store.Intake{
		{Message: newMsg(a.ID, store.StateAccepted, "a1")},
		{Message: heldA},
		{Message: dropped},
		{Message: newMsg(b.ID, store.StateAccepted, "b1")},
		{Message: newMsg(a.ID, store.StateAccepted, "a2")},
		{Message: heldB},
		{Message: newMsg(b.ID, store.StateAccepted, "b2")},
	}
	must(t, s.SaveIntake(ctx, items), "SaveIntake")
	ids := map[int64]bool{}
	for i, it := range items {
		if it.Message.ID == 0 {
			t.Errorf("item %d: message ID not set", i)
		}
		if ids[it.Message.ID] {
			t.Errorf("item %d: message ID %d reused", i, it.Message.ID)
		}
		ids[it.Message.ID] = true
		if it.Message.State == store.StateHeld && it.HeldID == 0 {
			t.Errorf("item %d: held but HeldID not set", i)
		}
		if it.Message.State != store.StateHeld && it.HeldID != 0 {
			t.Errorf("item %d: %s but HeldID = %d", i, it.Message.State, it.HeldID)
		}
	}
	wantUID := []int64{1, 0, 0, 1, 2, 0, 2}
	for i, it := range items {
		if it.Message.UID != wantUID[i] {
			t.Errorf("item %d (%s): UID on return %d, want %d", i, it.Message.Subject, it.Message.UID, wantUID[i])
		}
		got, err := s.GetMessage(ctx, it.Message.ID)
		if err != nil {
			t.Errorf("GetMessage item %d: %v", i, err)
			continue
		}
		if got.UID != wantUID[i] || got.State != it.Message.State || got.ListID != it.Message.ListID {
			t.Errorf("stored item %d: uid %d state %q list %d; want %d %q %d", i, got.UID, got.State, got.ListID,
				wantUID[i], it.Message.State, it.Message.ListID)
		}
	}

	// The next batch continues each list's sequence.
	next := []*store.Intake{
		{Message: newMsg(b.ID, store.StateAccepted, "b3")},
		{Message: newMsg(a.ID, store.StateAccepted, "a3")},
	}
	must(t, s.SaveIntake(ctx, next), "SaveIntake second batch")
	if next[0].Message.UID != 3 || next[1].Message.UID != 3 {
		t.Errorf("second batch UIDs = %d, %d; want 3, 3", next[0].Message.UID, next[1].Message.UID)
	}
	a4 := intake(t, s, a.ID, store.StateAccepted, "a4")
	if a4.Message.UID != 4 {
		t.Errorf("a4 UID = %d, want 4", a4.Message.UID)
	}

	// Held items.
	all, err := s.ListHeld(ctx, 0)
	must(t, err, "ListHeld(0)")
	if len(all) != 2 {
		t.Fatalf("ListHeld(0) = %d items, want 2", len(all))
	}
	byID := map[int64]*store.Held{}
	for _, h := range all {
		byID[h.ID] = h
	}
	for _, c := range []struct {
		it   *store.Intake
		list *store.List
	}{{items[1], a}, {items[5], b}} {
		h := byID[c.it.HeldID]
		if h == nil {
			t.Errorf("ListHeld(0) lacks held %d", c.it.HeldID)
			continue
		}
		m := c.it.Message
		if h.ListID != c.list.ID || h.ListAddress != c.list.Address || h.MessageID != m.ID ||
			h.From != m.FromAddr || h.Subject != m.Subject || h.Reason != m.Reason ||
			h.State != "pending" || h.Size != int64(len(m.Raw)) || h.Kind != "post" || h.HandledBy != "" {
			t.Errorf("held = %+v, message %+v", h, m)
		}
		if h.Created.IsZero() {
			t.Error("held.Created is zero")
		}
	}
	onlyA, err := s.ListHeld(ctx, a.ID)
	must(t, err, "ListHeld(a)")
	if len(onlyA) != 1 || onlyA[0].ID != items[1].HeldID {
		t.Errorf("ListHeld(a) = %+v, want only held %d", onlyA, items[1].HeldID)
	}
	onlyB, err := s.ListHeld(ctx, b.ID)
	must(t, err, "ListHeld(b)")
	if len(onlyB) != 1 || onlyB[0].ID != items[5].HeldID {
		t.Errorf("ListHeld(b) = %+v, want only held %d", onlyB, items[5].HeldID)
	}
	none, err := s.ListHeld(ctx, b.ID+a.ID+100)
	if err != nil || len(none) != 0 {
		t.Errorf("ListHeld(unknown list) = %v, %v", none, err)
	}
	h, err := s.GetHeld(ctx, items[1].HeldID)
	must(t, err, "GetHeld")
	if h.MessageID != items[1].Message.ID || h.ListAddress != a.Address {
		t.Errorf("GetHeld = %+v", h)
	}
	_, err = s.GetHeld(ctx, items[5].HeldID+1000)
	wantErr(t, err, store.ErrNotFound, "GetHeld unknown")
	_, err = s.GetMessage(ctx, a4.Message.ID+1000)
	wantErr(t, err, store.ErrNotFound, "GetMessage unknown")

	// An empty batch is fine.
	must(t, s.SaveIntake(ctx, nil), "SaveIntake(nil)")
}

func testRawRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "raw@example.org")

	// CR LF, bare LF, bare CR, trailing spaces, every non-NUL byte value.
	var raw bytes.Buffer
	raw.WriteString("From: =?utf-8?q?J=C3=B6rg?= <jorg@example.net>\r\nSubject: caf\xc3\xa9 \xff\xfe\r\n")
	raw.WriteString("X-Space:   trailing   \r\n\r\n")
	for i := 1; i < 256; i++ {
		raw.WriteByte(byte(i))
	}
	raw.WriteString("\r\nbare lf\nbare cr\rend\r\n\r\n")
	// A large body, to cross any page or packet size.
	big := bytes.Repeat([]byte("0123456789abcdef\x80\xfe\r\n"), 20000)
	raw.Write(big)

	m := &store.Message{
		ListID:       l.ID,
		EnvelopeFrom: "bounce+x@example.net",
		FromAddr:     "jorg@example.net",
		FromName:     "Jörg",
		Subject:      "café",
		MessageID:    "abc.123@example.net",
		InReplyTo:    "parent@example.net",
		References:   "root@example.net parent@example.net",
		SentAt:       time.UnixMilli(1_700_000_000_123),
		Raw:          bytes.Clone(raw.Bytes()),
		State:        store.StateAccepted,
		Reason:       "",
	}
	must(t, s.SaveIntake(ctx, []*store.Intake{{Message: m}}), "SaveIntake")
	got, err := s.GetMessage(ctx, m.ID)
	must(t, err, "GetMessage")
	if !bytes.Equal(got.Raw, raw.Bytes()) {
		t.Errorf("raw differs: got %d bytes, want %d", len(got.Raw), raw.Len())
	}
	if got.Size != int64(raw.Len()) {
		t.Errorf("Size = %d, want %d", got.Size, raw.Len())
	}
	if got.EnvelopeFrom != m.EnvelopeFrom || got.FromAddr != m.FromAddr || got.FromName != m.FromName ||
		got.Subject != m.Subject || got.MessageID != m.MessageID || got.InReplyTo != m.InReplyTo ||
		got.References != m.References || got.State != store.StateAccepted || got.ListID != l.ID || got.UID != 1 {
		t.Errorf("GetMessage = %+v", got)
	}
	if !got.SentAt.Equal(m.SentAt) {
		t.Errorf("SentAt = %v, want %v", got.SentAt, m.SentAt)
	}
	if d := time.Since(got.Received); d < -time.Minute || d > time.Minute {
		t.Errorf("Received = %v, want about now", got.Received)
	}
}

// ---------------------------------------------------------------- held

func testHeldApprove(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "mod@example.org")
	members := addMembers(t, s, l.ID, nMembers("m", 3))
	first := &store.Intake{Message: newMsg(l.ID, store.StateAccepted, "first")}
	held := &store.Intake{Message: newMsg(l.ID, store.StateHeld, "needs approval")}
	held.Message.Reason = "moderated"
	must(t, s.SaveIntake(ctx, []*store.Intake{first, held}), "SaveIntake")
	// Deliver the first post so the queue is empty.
	seen, _ := drain(t, s, "node-a", 100)
	if len(seen) != 3 {
		t.Fatalf("first post reached %d members, want 3", len(seen))
	}
	if q := pending(t, s); !q.Idle() {
		t.Fatalf("queue not idle after drain: %+v", q)
	}

	before := time.Now().Add(-time.Second)
	h, err := s.ResolveHeld(ctx, held.HeldID, store.Approve, "alice@example.org", "looks fine")
	must(t, err, "ResolveHeld approve")
	if h == nil || h.ID != held.HeldID || h.State != string(store.Approve) || h.HandledBy != "alice@example.org" ||
		h.Note != "looks fine" || h.HandledAt.Before(before) {
		t.Errorf("approved held = %+v", h)
	}
	msg, err := s.GetMessage(ctx, held.Message.ID)
	must(t, err, "GetMessage approved")
	if msg.State != store.StateAccepted || msg.UID != 2 {
		t.Errorf("approved message state %q uid %d, want accepted 2", msg.State, msg.UID)
	}
	if got, err := s.ListHeld(ctx, l.ID); err != nil || len(got) != 0 {
		t.Errorf("ListHeld after approve = %v, %v; want empty", got, err)
	}
	if q := pending(t, s); q.OpenFanouts != 1 {
		t.Errorf("pending after approve = %+v, want one open fan-out", q)
	}

	c, err := s.ClaimChunk(ctx, "node-a", time.Minute, 100)
	must(t, err, "ClaimChunk after approve")
	if c.MessageID != held.Message.ID || c.ListID != l.ID {
		t.Errorf("chunk = %+v, want message %d", c, held.Message.ID)
	}
	cm, err := s.ChunkMembers(ctx, c)
	must(t, err, "ChunkMembers")
	if len(cm) != len(members) {
		t.Errorf("approved post reaches %d members, want %d", len(cm), len(members))
	}
	must(t, s.CompleteChunk(ctx, c, store.ChunkResult{Sent: len(cm)}), "CompleteChunk")

	// Every later action is refused and shows the first one.
	for _, act := range []store.HeldAction{store.Reject, store.Discard, store.Approve} {
		h2, err := s.ResolveHeld(ctx, held.HeldID, act, "bob@example.org", "too late")
		wantErr(t, err, store.ErrAlreadyHandled, "second ResolveHeld "+string(act))
		if h2 == nil {
			t.Errorf("second ResolveHeld %s returned no Held", act)
			continue
		}
		if h2.State != string(store.Approve) || h2.HandledBy != "alice@example.org" || h2.Note != "looks fine" {
			t.Errorf("second ResolveHeld %s returned %+v, want the first handler's", act, h2)
		}
	}
	// No second fan-out and no second UID.
	if _, err := s.ClaimChunk(ctx, "node-a", time.Minute, 100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ClaimChunk after repeated approve: err = %v, want ErrNotFound", err)
	}
	msg, _ = s.GetMessage(ctx, held.Message.ID)
	if msg.UID != 2 {
		t.Errorf("UID after repeated approve = %d", msg.UID)
	}
	if next := intake(t, s, l.ID, store.StateAccepted, "next"); next.Message.UID != 3 {
		t.Errorf("next UID = %d, want 3", next.Message.UID)
	}

	_, err = s.ResolveHeld(ctx, held.HeldID+1000, store.Approve, "x", "")
	wantErr(t, err, store.ErrNotFound, "ResolveHeld unknown")
}

func testHeldRejectDiscard(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "mod@example.org")
	addMembers(t, s, l.ID, nMembers("m", 3))
	h1 := intake(t, s, l.ID, store.StateHeld, "spam")
	h2 := intake(t, s, l.ID, store.StateHeld, "noise")
	h3 := intake(t, s, l.ID, store.StateHeld, "keep pending")

	got, err := s.ResolveHeld(ctx, h1.HeldID, store.Reject, "mod1", "spam")
	must(t, err, "reject")
	if got.State != string(store.Reject) || got.HandledBy != "mod1" || got.Note != "spam" || got.HandledAt.IsZero() {
		t.Errorf("rejected = %+v", got)
	}
	got, err = s.ResolveHeld(ctx, h2.HeldID, store.Discard, "mod2", "")
	must(t, err, "discard")
	if got.State != string(store.Discard) || got.HandledBy != "mod2" {
		t.Errorf("discarded = %+v", got)
	}
	for _, c := range []struct {
		it    *store.Intake
		state string
	}{{h1, store.StateRejected}, {h2, store.StateDiscarded}, {h3, store.StateHeld}} {
		m, err := s.GetMessage(ctx, c.it.Message.ID)
		must(t, err, "GetMessage")
		if m.State != c.state || m.UID != 0 {
			t.Errorf("message %q: state %q uid %d, want %q 0", m.Subject, m.State, m.UID, c.state)
		}
	}
	if q := pending(t, s); !q.Idle() {
		t.Errorf("reject/discard queued work: %+v", q)
	}
	if _, err := s.ClaimChunk(ctx, "node-a", time.Minute, 100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ClaimChunk after reject: err = %v, want ErrNotFound", err)
	}
	rest, err := s.ListHeld(ctx, l.ID)
	must(t, err, "ListHeld")
	if len(rest) != 1 || rest[0].ID != h3.HeldID {
		t.Errorf("ListHeld = %+v, want only %d", rest, h3.HeldID)
	}

	again, err := s.ResolveHeld(ctx, h1.HeldID, store.Approve, "mod3", "")
	wantErr(t, err, store.ErrAlreadyHandled, "approve rejected")
	if again == nil || again.State != string(store.Reject) || again.HandledBy != "mod1" {
		t.Errorf("approve rejected returned %+v", again)
	}
	if m, _ := s.GetMessage(ctx, h1.Message.ID); m.State != store.StateRejected || m.UID != 0 {
		t.Errorf("rejected message changed by late approve: %+v", m)
	}
	g, err := s.GetHeld(ctx, h2.HeldID)
	must(t, err, "GetHeld discarded")
	if g.State != string(store.Discard) || g.HandledBy != "mod2" {
		t.Errorf("GetHeld discarded = %+v", g)
	}
}

func testHeldConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "mod@example.org")
	members := addMembers(t, s, l.ID, nMembers("m", 5))
	h := intake(t, s, l.ID, store.StateHeld, "contended")

	const n = 20
	actions := []store.HeldAction{store.Approve, store.Reject, store.Discard}
	type result struct {
		h   *store.Held
		err error
	}
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			got, err := s.ResolveHeld(ctx, h.HeldID, actions[i%len(actions)], fmt.Sprintf("mod%d", i), "")
			results[i] = result{got, err}
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, r := range results {
		switch {
		case r.err == nil:
			if winner >= 0 {
				t.Errorf("ResolveHeld succeeded for mod%d and mod%d", winner, i)
			}
			winner = i
		case errors.Is(r.err, store.ErrAlreadyHandled):
		default:
			t.Errorf("mod%d: unexpected error %v", i, r.err)
		}
	}
	if winner < 0 {
		t.Fatal("no ResolveHeld succeeded")
	}
	wantBy, wantState := fmt.Sprintf("mod%d", winner), string(actions[winner%len(actions)])
	for i, r := range results {
		if r.h == nil {
			if r.err == nil || errors.Is(r.err, store.ErrAlreadyHandled) {
				t.Errorf("mod%d: no Held returned", i)
			}
			continue
		}
		if r.h.HandledBy != wantBy || r.h.State != wantState {
			t.Errorf("mod%d saw handled by %q state %q, want %q %q", i, r.h.HandledBy, r.h.State, wantBy, wantState)
		}
	}
	m, err := s.GetMessage(ctx, h.Message.ID)
	must(t, err, "GetMessage")
	if m.State != wantState && !(wantState == string(store.Approve) && m.State == store.StateAccepted) {
		t.Errorf("message state %q after %s", m.State, wantState)
	}
	seen, _ := drain(t, s, "node-a", 100)
	if wantState == string(store.Approve) {
		if m.UID != 1 {
			t.Errorf("approved UID = %d, want 1", m.UID)
		}
		want := map[int64]bool{}
		for _, mm := range members {
			want[mm.ID] = true
		}
		checkExactlyOnce(t, seen, want, "approved by one of 20")
	} else if len(seen) != 0 {
		t.Errorf("%s message was delivered to %d members", wantState, len(seen))
	}
	if next := intake(t, s, l.ID, store.StateAccepted, "next"); next.Message.UID != m.UID+1 {
		t.Errorf("next UID = %d after %d", next.Message.UID, m.UID)
	}
}

// ---------------------------------------------------------------- fan-out

func testFanoutChunks(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "fan@example.org")
	other := mustList(t, s, "other@example.org")
	addMembers(t, s, other.ID, nMembers("x", 10))

	// The digest, nomail and disabled members sit between each-mode ones,
	// so they fall inside chunks rather than after them.
	var ms []store.NewMember
	for i, m := range nMembers("each", 250) {
		ms = append(ms, m)
		if i%50 == 10 {
			ms = append(ms,
				store.NewMember{Address: fmt.Sprintf("digest%d@example.org", i), Mode: store.ModeDigest},
				store.NewMember{Address: fmt.Sprintf("nomail%d@example.org", i), Mode: store.ModeNoMail})
		}
		if i == 120 {
			ms = append(ms, store.NewMember{Address: "gone@example.org"})
		}
	}
	byAddr := addMembers(t, s, l.ID, ms)
	gone := byAddr["gone@example.org"]
	setter, canDisable := s.(MemberStatusSetter)
	if canDisable {
		must(t, setter.SetMemberStatus(ctx, gone.ID, store.StatusDisabledBounces), "SetMemberStatus")
		if g, _ := s.GetMemberByID(ctx, gone.ID); g == nil || g.Status != store.StatusDisabledBounces {
			t.Fatalf("SetMemberStatus did not take: %+v", g)
		}
	} else {
		t.Log("store offers no MemberStatusSetter: not checking disabled members")
	}
	want := map[int64]bool{}
	for _, m := range byAddr {
		if m.Mode == store.ModeEach && (!canDisable || m.ID != gone.ID) {
			want[m.ID] = true
		}
	}
	if canDisable && len(want) != 250 {
		t.Fatalf("setup: %d expected recipients, want 250", len(want))
	}

	msg := intake(t, s, l.ID, store.StateAccepted, "fan-out").Message
	seen := map[int64]int{}
	var chunks []*store.Chunk
	var tempM, permM *store.Member
	var retryAt time.Time
	for i := 0; ; i++ {
		if i > 50 {
			t.Fatal("ClaimChunk never ran out of work")
		}
		c, err := s.ClaimChunk(ctx, "node-a", time.Minute, 100)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		must(t, err, "ClaimChunk")
		if c.ID == 0 || c.MessageID != msg.ID || c.ListID != l.ID || c.Owner != "node-a" || c.Taken {
			t.Errorf("chunk = %+v", c)
		}
		cm, err := s.ChunkMembers(ctx, c)
		must(t, err, "ChunkMembers")
		if len(cm) == 0 || len(cm) > 100 {
			t.Errorf("chunk %d has %d members, want 1..100", c.ID, len(cm))
		}
		for j, m := range cm {
			seen[m.ID]++
			if m.ID < c.First || m.ID > c.Last {
				t.Errorf("member %d outside chunk range [%d, %d]", m.ID, c.First, c.Last)
			}
			if j > 0 && m.ID <= cm[j-1].ID {
				t.Errorf("ChunkMembers not in id order")
			}
		}
		res := store.ChunkResult{Sent: len(cm)}
		if i == 0 && len(cm) >= 2 {
			// The first chunk has one temporary and one permanent failure.
			tempM, permM = cm[0], cm[1]
			retryAt = time.Now().Add(700 * time.Millisecond)
			res.Sent -= 2
			res.RetryAt = retryAt
			res.Failures = []store.Failure{
				{MemberID: tempM.ID, MessageID: msg.ID, Rcpt: tempM.Address, Code: 451, Enhanced: "4.3.0", Text: "try later", Temporary: true},
				{MemberID: permM.ID, MessageID: msg.ID, Rcpt: permM.Address, Code: 550, Enhanced: "5.1.1", Text: "no such user"},
			}
		}
		if i == 1 {
			// Someone else cannot complete this chunk.
			stolen := *c
			stolen.Owner = "node-b"
			wantErr(t, s.CompleteChunk(ctx, &stolen, store.ChunkResult{Sent: 1}), store.ErrLeaseLost, "CompleteChunk by non-owner")
			wantErr(t, s.RenewChunk(ctx, &stolen, time.Minute), store.ErrLeaseLost, "RenewChunk by non-owner")
		}
		must(t, s.CompleteChunk(ctx, c, res), "CompleteChunk")
		wantErr(t, s.CompleteChunk(ctx, c, res), store.ErrLeaseLost, "CompleteChunk twice")
		if i == 0 && tempM != nil {
			// Not due yet.
			rs, err := s.ClaimRetries(ctx, "node-a", time.Minute, 10)
			must(t, err, "ClaimRetries before RetryAt")
			if time.Now().Before(retryAt) && len(rs) != 0 {
				t.Errorf("ClaimRetries before RetryAt returned %d retries", len(rs))
			}
		}
		chunks = append(chunks, c)
	}
	checkExactlyOnce(t, seen, want, "fan-out")
	if len(chunks) < 3 {
		t.Errorf("%d chunks of at most 100 for 250 members", len(chunks))
	}
	for _, x := range allMembers(t, s, other.ID) {
		if seen[x.ID] > 0 {
			t.Errorf("member %d of another list reached", x.ID)
		}
	}
	if tempM == nil {
		t.Fatal("no chunk with two members to fail")
	}

	// The permanent failure is recorded and raises the bounce score.
	fs, err := s.ListFailures(ctx, permM.ID)
	must(t, err, "ListFailures")
	if len(fs) != 1 {
		t.Fatalf("ListFailures(perm) = %d, want 1", len(fs))
	}
	if f := fs[0]; f.MemberID != permM.ID || f.MessageID != msg.ID || f.Code != 550 || f.Enhanced != "5.1.1" ||
		f.Text != "no such user" || f.Rcpt != permM.Address || f.At.IsZero() {
		t.Errorf("failure = %+v", f)
	}
	pm, err := s.GetMemberByID(ctx, permM.ID)
	must(t, err, "GetMemberByID perm")
	if pm.BounceScore <= permM.BounceScore {
		t.Errorf("bounce score after permanent failure = %v, was %v", pm.BounceScore, permM.BounceScore)
	}
	if fs, _ := s.ListFailures(ctx, tempM.ID); len(fs) != 0 {
		t.Errorf("temporary failure recorded as permanent: %+v", fs)
	}
	if q := pending(t, s); q.OpenFanouts != 0 || q.Chunks != 0 || q.Retries != 1 {
		t.Errorf("pending after fan-out = %+v, want only one retry", q)
	}

	// The temporary failure becomes due at RetryAt.
	time.Sleep(time.Until(retryAt) + 20*time.Millisecond)
	rs, err := s.ClaimRetries(ctx, "node-a", time.Minute, 10)
	must(t, err, "ClaimRetries after RetryAt")
	if len(rs) != 1 {
		t.Fatalf("ClaimRetries after RetryAt = %d retries, want 1", len(rs))
	}
	if r := rs[0]; r.ID == 0 || r.MemberID != tempM.ID || r.MessageID != msg.ID || r.Attempts != 1 || r.Owner != "node-a" {
		t.Errorf("retry = %+v", r)
	}
}

func testChunkLeaseExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "lease@example.org")
	addMembers(t, s, l.ID, nMembers("m", 10))
	intake(t, s, l.ID, store.StateAccepted, "lease")

	c1, err := s.ClaimChunk(ctx, "node-a", time.Millisecond, 100)
	must(t, err, "ClaimChunk node-a")
	if c1.Taken {
		t.Error("fresh chunk marked Taken")
	}
	time.Sleep(10 * time.Millisecond)
	c2, err := s.ClaimChunk(ctx, "node-b", time.Minute, 100)
	must(t, err, "ClaimChunk node-b")
	if c2.ID != c1.ID || !c2.Taken || c2.Owner != "node-b" || c2.MessageID != c1.MessageID ||
		c2.First != c1.First || c2.Last != c1.Last {
		t.Errorf("take-over chunk = %+v, first was %+v", c2, c1)
	}
	// A live lease is not taken over.
	c3, err := s.ClaimChunk(ctx, "node-c", time.Minute, 100)
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ClaimChunk with a live lease = %+v, %v; want ErrNotFound", c3, err)
	}
	wantErr(t, s.CompleteChunk(ctx, c1, store.ChunkResult{Sent: 10}), store.ErrLeaseLost, "CompleteChunk by old owner")
	wantErr(t, s.RenewChunk(ctx, c1, time.Minute), store.ErrLeaseLost, "RenewChunk by old owner")
	cm, err := s.ChunkMembers(ctx, c2)
	must(t, err, "ChunkMembers")
	if len(cm) != 10 {
		t.Errorf("taken-over chunk has %d members, want 10", len(cm))
	}
	must(t, s.RenewChunk(ctx, c2, time.Minute), "RenewChunk by new owner")
	must(t, s.CompleteChunk(ctx, c2, store.ChunkResult{Sent: len(cm)}), "CompleteChunk by new owner")
	if _, err := s.ClaimChunk(ctx, "node-a", time.Minute, 100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ClaimChunk after completion: err = %v, want ErrNotFound", err)
	}
	if q := pending(t, s); !q.Idle() {
		t.Errorf("pending = %+v, want idle", q)
	}
}

func testChunkCheckpoint(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "ckpt@example.org")
	addMembers(t, s, l.ID, nMembers("m", 10))
	intake(t, s, l.ID, store.StateAccepted, "checkpoint")

	c1, err := s.ClaimChunk(ctx, "node-a", time.Minute, 100)
	must(t, err, "ClaimChunk")
	all, err := s.ChunkMembers(ctx, c1)
	must(t, err, "ChunkMembers")
	if len(all) != 10 {
		t.Fatalf("chunk has %d members, want 10", len(all))
	}
	// Sent the first four, then checkpoint with a lease about to run out.
	c1.SentUpto = all[3].ID
	must(t, s.RenewChunk(ctx, c1, time.Millisecond), "RenewChunk")
	rest, err := s.ChunkMembers(ctx, c1)
	must(t, err, "ChunkMembers after checkpoint")
	if len(rest) != 6 || rest[0].ID != all[4].ID {
		t.Errorf("ChunkMembers after checkpoint = %d members", len(rest))
	}
	time.Sleep(10 * time.Millisecond)

	c2, err := s.ClaimChunk(ctx, "node-b", time.Minute, 100)
	must(t, err, "ClaimChunk take-over")
	if c2.ID != c1.ID || !c2.Taken || c2.SentUpto != all[3].ID {
		t.Errorf("take-over = %+v, want chunk %d with SentUpto %d", c2, c1.ID, all[3].ID)
	}
	got, err := s.ChunkMembers(ctx, c2)
	must(t, err, "ChunkMembers after take-over")
	var gotIDs, wantIDs []int64
	for _, m := range got {
		gotIDs = append(gotIDs, m.ID)
	}
	for _, m := range all[4:] {
		wantIDs = append(wantIDs, m.ID)
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("ChunkMembers after take-over = %v, want %v", gotIDs, wantIDs)
	}
	// The new owner checkpoints again; the old one cannot.
	c2.SentUpto = all[6].ID
	must(t, s.RenewChunk(ctx, c2, time.Minute), "RenewChunk new owner")
	c1.SentUpto = all[9].ID
	wantErr(t, s.RenewChunk(ctx, c1, time.Minute), store.ErrLeaseLost, "RenewChunk old owner")
	if got, _ := s.ChunkMembers(ctx, c2); len(got) != 3 {
		t.Errorf("after second checkpoint %d members left, want 3", len(got))
	}
	must(t, s.CompleteChunk(ctx, c2, store.ChunkResult{Sent: 3}), "CompleteChunk")
}

func testChunkConcurrentClaimers(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "many@example.org")
	byAddr := addMembers(t, s, l.ID, nMembers("m", 2000))
	want := map[int64]bool{}
	for _, m := range byAddr {
		want[m.ID] = true
	}
	msg := intake(t, s, l.ID, store.StateAccepted, "concurrent").Message

	var (
		mu     sync.Mutex
		seen   = map[int64]int{}
		chunks = map[int64]string{}
		wg     sync.WaitGroup
		start  = make(chan struct{})
	)
	for g := range 8 {
		wg.Go(func() {
			owner := fmt.Sprintf("node-%d", g)
			<-start
			for i := 0; i < 1000; i++ {
				c, err := s.ClaimChunk(ctx, owner, time.Minute, 50)
				if errors.Is(err, store.ErrNotFound) {
					return
				}
				if err != nil {
					t.Errorf("%s: ClaimChunk: %v", owner, err)
					return
				}
				cm, err := s.ChunkMembers(ctx, c)
				if err != nil {
					t.Errorf("%s: ChunkMembers: %v", owner, err)
					return
				}
				if err := s.CompleteChunk(ctx, c, store.ChunkResult{Sent: len(cm)}); err != nil {
					t.Errorf("%s: CompleteChunk %d: %v", owner, c.ID, err)
				}
				mu.Lock()
				if prev, dup := chunks[c.ID]; dup {
					t.Errorf("chunk %d claimed by %s and %s", c.ID, prev, owner)
				}
				chunks[c.ID] = owner
				if c.MessageID != msg.ID || c.Taken {
					t.Errorf("chunk = %+v", c)
				}
				if len(cm) > 50 {
					t.Errorf("chunk %d has %d members", c.ID, len(cm))
				}
				for _, m := range cm {
					seen[m.ID]++
				}
				mu.Unlock()
			}
			t.Errorf("%s: still claiming after 1000 chunks", owner)
		})
	}
	close(start)
	wg.Wait()
	checkExactlyOnce(t, seen, want, "concurrent claimers")
	if len(chunks) < 40 {
		t.Errorf("%d chunks of at most 50 for 2000 members", len(chunks))
	}
	owners := map[string]bool{}
	for _, o := range chunks {
		owners[o] = true
	}
	t.Logf("%d chunks claimed by %d owners", len(chunks), len(owners))
	if q := pending(t, s); !q.Idle() {
		t.Errorf("pending after concurrent fan-out = %+v", q)
	}
}

// testFanoutSkipsFinished queues many fan-outs that reach nobody ahead of
// one that has work: ClaimChunk must find the work ("ErrNotFound: no work").
func testFanoutSkipsFinished(t *testing.T, s store.Store) {
	ctx := t.Context()
	empty := mustList(t, s, "empty@example.org")
	l := mustList(t, s, "full@example.org")
	addMembers(t, s, empty.ID, []store.NewMember{{Address: "digest@example.org", Mode: store.ModeDigest}})
	addMembers(t, s, l.ID, nMembers("m", 3))
	var batch []*store.Intake
	for i := range 40 {
		batch = append(batch, &store.Intake{Message: newMsg(empty.ID, store.StateAccepted, fmt.Sprintf("nobody %d", i))})
	}
	must(t, s.SaveIntake(ctx, batch), "SaveIntake")
	msg := intake(t, s, l.ID, store.StateAccepted, "somebody").Message
	c, err := s.ClaimChunk(ctx, "node-a", time.Minute, 100)
	must(t, err, "ClaimChunk behind 40 fan-outs without recipients")
	if c.MessageID != msg.ID {
		t.Errorf("chunk for message %d, want %d", c.MessageID, msg.ID)
	}
	cm, err := s.ChunkMembers(ctx, c)
	must(t, err, "ChunkMembers")
	if len(cm) != 3 {
		t.Errorf("chunk has %d members, want 3", len(cm))
	}
	must(t, s.CompleteChunk(ctx, c, store.ChunkResult{Sent: 3}), "CompleteChunk")
	if _, err := s.ClaimChunk(ctx, "node-a", time.Minute, 100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ClaimChunk at end: %v", err)
	}
	if q := pending(t, s); !q.Idle() {
		t.Errorf("pending = %+v, want idle", q)
	}
}

func testAudienceOwners(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "owned@example.org")
	ms := nMembers("member", 10)
	ms = append(ms,
		store.NewMember{Address: "owner1@example.org", Role: store.RoleOwner},
		store.NewMember{Address: "mod1@example.org", Role: store.RoleModerator},
		store.NewMember{Address: "owner2@example.org", Role: store.RoleOwner},
		store.NewMember{Address: "mod2@example.org", Role: store.RoleModerator},
		store.NewMember{Address: "owner3@example.org", Role: store.RoleOwner, Mode: store.ModeEach},
	)
	byAddr := addMembers(t, s, l.ID, ms)
	want := map[int64]bool{}
	for _, a := range []string{"owner1@example.org", "owner2@example.org", "owner3@example.org"} {
		want[byAddr[a].ID] = true
	}
	it := &store.Intake{Message: newMsg(l.ID, store.StateAccepted, "notice for owners"), Audience: "owners"}
	must(t, s.SaveIntake(ctx, []*store.Intake{it}), "SaveIntake owners")
	seen, chunks := drain(t, s, "node-a", 100)
	if len(chunks) == 0 {
		t.Fatal("no chunk for the owners' message")
	}
	for _, c := range chunks {
		if c.Audience != "owners" || c.MessageID != it.Message.ID {
			t.Errorf("chunk = %+v, want audience owners", c)
		}
	}
	checkExactlyOnce(t, seen, want, "owners audience")

	// The default audience reaches everyone in each mode.
	intake(t, s, l.ID, store.StateAccepted, "for all")
	seen, _ = drain(t, s, "node-a", 100)
	if len(seen) != len(ms) {
		t.Errorf("default audience reached %d, want %d", len(seen), len(ms))
	}
}

// ---------------------------------------------------------------- retries

func testRetries(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "retry@example.org")
	addMembers(t, s, l.ID, nMembers("m", 4))
	msg := intake(t, s, l.ID, store.StateAccepted, "retry").Message
	c, err := s.ClaimChunk(ctx, "node-a", time.Minute, 100)
	must(t, err, "ClaimChunk")
	cm, err := s.ChunkMembers(ctx, c)
	must(t, err, "ChunkMembers")
	if len(cm) != 4 {
		t.Fatalf("chunk has %d members", len(cm))
	}
	var fails []store.Failure
	for _, m := range cm {
		fails = append(fails, store.Failure{MemberID: m.ID, MessageID: msg.ID, Rcpt: m.Address, Code: 421, Text: "busy", Temporary: true})
	}
	must(t, s.CompleteChunk(ctx, c, store.ChunkResult{Failures: fails, RetryAt: time.Now().Add(-time.Second)}), "CompleteChunk")
	if q := pending(t, s); q.Retries != 4 {
		t.Errorf("pending retries = %d, want 4", q.Retries)
	}

	rs, err := s.ClaimRetries(ctx, "node-a", time.Minute, 10)
	must(t, err, "ClaimRetries")
	if len(rs) != 4 {
		t.Fatalf("ClaimRetries = %d, want 4", len(rs))
	}
	byMember := map[int64]*store.Retry{}
	for _, r := range rs {
		if r.Owner != "node-a" || r.Attempts != 1 || r.MessageID != msg.ID || r.FirstFailed.IsZero() {
			t.Errorf("retry = %+v", r)
		}
		byMember[r.MemberID] = r
	}
	if len(byMember) != 4 {
		t.Errorf("retries cover %d members, want 4", len(byMember))
	}
	if other, err := s.ClaimRetries(ctx, "node-b", time.Minute, 10); err != nil || len(other) != 0 {
		t.Errorf("second claimer got %d leased retries, %v", len(other), err)
	}
	r1, r2, r3, r4 := byMember[cm[0].ID], byMember[cm[1].ID], byMember[cm[2].ID], byMember[cm[3].ID]
	if r1 == nil || r2 == nil || r3 == nil || r4 == nil {
		t.Fatal("a member has no retry")
	}

	// Delivered: deleted.
	must(t, s.FinishRetry(ctx, r1, nil, time.Time{}), "FinishRetry delivered")
	if q := pending(t, s); q.Retries != 3 {
		t.Errorf("pending retries after delivery = %d, want 3", q.Retries)
	}
	// Temporary again, due now: rescheduled with one more attempt.
	temp := &store.Failure{MemberID: r2.MemberID, MessageID: msg.ID, Code: 451, Text: "later", Temporary: true}
	must(t, s.FinishRetry(ctx, r2, temp, time.Now().Add(-time.Second)), "FinishRetry temporary")
	// Temporary again, due in an hour: not claimable now.
	temp4 := &store.Failure{MemberID: r4.MemberID, MessageID: msg.ID, Code: 451, Text: "later", Temporary: true}
	must(t, s.FinishRetry(ctx, r4, temp4, time.Now().Add(time.Hour)), "FinishRetry temporary later")
	// Permanent: removed and recorded.
	perm := &store.Failure{MemberID: r3.MemberID, MessageID: msg.ID, Rcpt: cm[2].Address, Code: 550, Enhanced: "5.7.1", Text: "refused"}
	must(t, s.FinishRetry(ctx, r3, perm, time.Time{}), "FinishRetry permanent")
	fs, err := s.ListFailures(ctx, r3.MemberID)
	must(t, err, "ListFailures")
	if len(fs) != 1 || fs[0].Code != 550 || fs[0].Enhanced != "5.7.1" || fs[0].MessageID != msg.ID || fs[0].Text != "refused" {
		t.Errorf("failures after permanent retry = %+v", fs)
	}
	if m, _ := s.GetMemberByID(ctx, r3.MemberID); m == nil || m.BounceScore <= 0 {
		t.Errorf("bounce score after permanent retry failure: %+v", m)
	}
	if fs, _ := s.ListFailures(ctx, r2.MemberID); len(fs) != 0 {
		t.Errorf("temporary retry failure recorded: %+v", fs)
	}
	if q := pending(t, s); q.Retries != 2 {
		t.Errorf("pending retries = %d, want 2", q.Retries)
	}

	again, err := s.ClaimRetries(ctx, "node-b", time.Minute, 10)
	must(t, err, "ClaimRetries again")
	if len(again) != 1 {
		t.Fatalf("ClaimRetries again = %d, want 1 (the rescheduled one)", len(again))
	}
	if r := again[0]; r.ID != r2.ID || r.Attempts != 2 || r.Owner != "node-b" || r.MemberID != r2.MemberID {
		t.Errorf("rescheduled retry = %+v, want id %d attempts 2", r, r2.ID)
	}
	must(t, s.FinishRetry(ctx, again[0], nil, time.Time{}), "FinishRetry rescheduled")
	if q := pending(t, s); q.Retries != 1 {
		t.Errorf("pending retries at end = %d, want 1 (due in an hour)", q.Retries)
	}
	if none, _ := s.ClaimRetries(ctx, "node-c", time.Minute, 10); len(none) != 0 {
		t.Errorf("retry due in an hour claimed now: %+v", none)
	}
}

// ---------------------------------------------------------------- mail queue

func testMailQueue(t *testing.T, s store.Store) {
	ctx := t.Context()
	var mails []*store.QueuedMail
	for i := range 3 {
		m := &store.QueuedMail{
			From: "listserv-bounces@example.org",
			To:   fmt.Sprintf("user%d@example.net", i),
			Raw:  []byte(fmt.Sprintf("Subject: notice %d\r\n\r\n\xe2\x9c\x93 body\r\n", i)),
		}
		must(t, s.EnqueueMail(ctx, m), "EnqueueMail")
		if m.ID == 0 {
			t.Fatal("EnqueueMail did not set ID")
		}
		mails = append(mails, m)
	}
	if q := pending(t, s); q.Mail != 3 {
		t.Errorf("pending mail = %d, want 3", q.Mail)
	}

	a, err := s.ClaimMail(ctx, "node-a", time.Minute, 2)
	must(t, err, "ClaimMail node-a")
	if len(a) != 2 {
		t.Fatalf("ClaimMail limit 2 = %d", len(a))
	}
	b, err := s.ClaimMail(ctx, "node-b", time.Minute, 10)
	must(t, err, "ClaimMail node-b")
	if len(b) != 1 {
		t.Fatalf("second claimer got %d, want the 1 unleased", len(b))
	}
	if c, _ := s.ClaimMail(ctx, "node-c", time.Minute, 10); len(c) != 0 {
		t.Errorf("third claimer got %d leased mails", len(c))
	}
	got := map[int64]*store.QueuedMail{}
	for _, m := range a {
		if m.Owner != "node-a" {
			t.Errorf("owner %q", m.Owner)
		}
		got[m.ID] = m
	}
	for _, m := range b {
		if m.Owner != "node-b" {
			t.Errorf("owner %q", m.Owner)
		}
		got[m.ID] = m
	}
	for _, m := range mails {
		g := got[m.ID]
		if g == nil {
			t.Errorf("mail %d not claimed", m.ID)
			continue
		}
		if g.From != m.From || g.To != m.To || !bytes.Equal(g.Raw, m.Raw) || g.Attempts != 0 || g.CreatedAt.IsZero() {
			t.Errorf("claimed mail = %+v, want %+v", g, m)
		}
	}

	// Sent: gone. Temporary: back with one more attempt. Permanent: gone.
	must(t, s.FinishMail(ctx, got[mails[0].ID], nil, time.Time{}), "FinishMail sent")
	tmp := &store.Failure{Rcpt: mails[1].To, Code: 421, Text: "busy", Temporary: true}
	must(t, s.FinishMail(ctx, got[mails[1].ID], tmp, time.Now().Add(-time.Second)), "FinishMail temporary")
	perm := &store.Failure{Rcpt: mails[2].To, Code: 550, Text: "no such user"}
	must(t, s.FinishMail(ctx, got[mails[2].ID], perm, time.Time{}), "FinishMail permanent")
	if q := pending(t, s); q.Mail != 1 {
		t.Errorf("pending mail = %d, want 1", q.Mail)
	}

	// A short lease runs out and another node takes the mail.
	x, err := s.ClaimMail(ctx, "node-a", time.Millisecond, 10)
	must(t, err, "ClaimMail short lease")
	if len(x) != 1 || x[0].ID != mails[1].ID || x[0].Attempts != 1 {
		t.Fatalf("ClaimMail after temporary = %+v, want mail %d with 1 attempt", x, mails[1].ID)
	}
	time.Sleep(10 * time.Millisecond)
	y, err := s.ClaimMail(ctx, "node-b", time.Minute, 10)
	must(t, err, "ClaimMail after expiry")
	if len(y) != 1 || y[0].ID != mails[1].ID || y[0].Owner != "node-b" {
		t.Fatalf("ClaimMail after lease expiry = %+v", y)
	}
	must(t, s.FinishMail(ctx, y[0], nil, time.Time{}), "FinishMail")
	if q := pending(t, s); q.Mail != 0 {
		t.Errorf("pending mail at end = %d", q.Mail)
	}
	if z, _ := s.ClaimMail(ctx, "node-c", time.Minute, 10); len(z) != 0 {
		t.Errorf("ClaimMail on empty queue = %d", len(z))
	}

	// Mail queued for later is not claimed now.
	later := &store.QueuedMail{From: "a@example.org", To: "b@example.org", Raw: []byte("x")}
	must(t, s.EnqueueMail(ctx, later), "EnqueueMail")
	l1, err := s.ClaimMail(ctx, "node-a", time.Minute, 10)
	must(t, err, "ClaimMail")
	if len(l1) != 1 {
		t.Fatalf("ClaimMail = %d", len(l1))
	}
	must(t, s.FinishMail(ctx, l1[0], &store.Failure{Code: 451, Temporary: true}, time.Now().Add(time.Hour)), "FinishMail later")
	if l2, _ := s.ClaimMail(ctx, "node-b", time.Minute, 10); len(l2) != 0 {
		t.Errorf("mail due in an hour claimed now")
	}
}

// ---------------------------------------------------------------- outbox

func testOutbox(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "out@example.org")
	msg := intake(t, s, l.ID, store.StateAccepted, "captured").Message

	var cs []*store.Captured
	for i := range 5 {
		c := &store.Captured{From: "out-bounces@example.org", To: fmt.Sprintf("r%d@example.net", i),
			Raw: []byte(fmt.Sprintf("Subject: copy %d\r\n\r\n\x80\xff\r\n", i))}
		if i%2 == 0 {
			c.MessageID = msg.ID
		}
		cs = append(cs, c)
	}
	must(t, s.CaptureCopies(ctx, cs[:2]), "CaptureCopies")
	must(t, s.CaptureCopies(ctx, cs[2:]), "CaptureCopies second")
	for i, c := range cs {
		if c.ID == 0 {
			t.Fatalf("copy %d: ID not set", i)
		}
		if i > 0 && c.ID <= cs[i-1].ID {
			t.Errorf("copy ids not increasing: %d after %d", c.ID, cs[i-1].ID)
		}
	}

	var ids []int64
	before := int64(0)
	for range 10 {
		page, err := s.ListOutbox(ctx, before, 2)
		must(t, err, "ListOutbox")
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("ListOutbox limit 2 returned %d", len(page))
		}
		for _, c := range page {
			ids = append(ids, c.ID)
			before = c.ID
		}
	}
	want := []int64{cs[4].ID, cs[3].ID, cs[2].ID, cs[1].ID, cs[0].ID}
	if !slices.Equal(ids, want) {
		t.Errorf("ListOutbox pages = %v, want %v (newest first)", ids, want)
	}
	first, err := s.ListOutbox(ctx, 0, 100)
	must(t, err, "ListOutbox all")
	if len(first) != 5 || first[0].ID != cs[4].ID {
		t.Errorf("ListOutbox(0, 100) = %d items", len(first))
	}

	for _, c := range cs {
		g, err := s.GetCaptured(ctx, c.ID)
		if err != nil {
			t.Errorf("GetCaptured %d: %v", c.ID, err)
			continue
		}
		if g.From != c.From || g.To != c.To || g.MessageID != c.MessageID || !bytes.Equal(g.Raw, c.Raw) || g.Created.IsZero() {
			t.Errorf("GetCaptured = %+v, want %+v", g, c)
		}
	}
	_, err = s.GetCaptured(ctx, cs[4].ID+100)
	wantErr(t, err, store.ErrNotFound, "GetCaptured unknown")
}

// ---------------------------------------------------------------- settings

func testSecret(t *testing.T, s store.Store) {
	ctx := t.Context()
	k1, err := s.Secret(ctx)
	must(t, err, "Secret")
	if len(k1) != 32 {
		t.Fatalf("secret is %d bytes, want 32", len(k1))
	}
	if bytes.Equal(k1, make([]byte, 32)) {
		t.Error("secret is all zero")
	}
	for range 3 {
		k2, err := s.Secret(ctx)
		must(t, err, "Secret again")
		if !bytes.Equal(k1, k2) {
			t.Fatal("secret changed between calls")
		}
	}
	// Concurrent first use elsewhere would see the same key too.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			k, err := s.Secret(ctx)
			if err != nil || !bytes.Equal(k, k1) {
				t.Errorf("concurrent Secret = %x, %v", k, err)
			}
		})
	}
	wg.Wait()
}

// ---------------------------------------------------------------- pending

func testPending(t *testing.T, s store.Store) {
	ctx := t.Context()
	if q := pending(t, s); !q.Idle() || q != (store.QueueStats{}) {
		t.Fatalf("fresh store pending = %+v", q)
	}
	l := mustList(t, s, "p@example.org")
	addMembers(t, s, l.ID, nMembers("m", 3))

	// Held and dropped posts queue nothing.
	intake(t, s, l.ID, store.StateHeld, "held")
	intake(t, s, l.ID, store.StateDropped, "dropped")
	if q := pending(t, s); !q.Idle() {
		t.Errorf("pending after held/dropped = %+v", q)
	}

	msg := intake(t, s, l.ID, store.StateAccepted, "post").Message
	if q := pending(t, s); q.OpenFanouts != 1 || q.Idle() {
		t.Errorf("pending after accept = %+v, want 1 open fan-out", q)
	}
	c, err := s.ClaimChunk(ctx, "node-a", time.Minute, 2)
	must(t, err, "ClaimChunk")
	if q := pending(t, s); q.Chunks != 1 {
		t.Errorf("pending with a leased chunk = %+v, want 1 chunk", q)
	}
	cm, _ := s.ChunkMembers(ctx, c)
	must(t, s.CompleteChunk(ctx, c, store.ChunkResult{Sent: len(cm)}), "CompleteChunk")
	if q := pending(t, s); q.Chunks != 0 || q.OpenFanouts != 1 {
		t.Errorf("pending with one member left = %+v, want 1 open fan-out, 0 chunks", q)
	}
	c, err = s.ClaimChunk(ctx, "node-a", time.Minute, 2)
	must(t, err, "ClaimChunk 2")
	cm, _ = s.ChunkMembers(ctx, c)
	if len(cm) != 1 {
		t.Errorf("second chunk has %d members, want 1", len(cm))
	}
	must(t, s.CompleteChunk(ctx, c, store.ChunkResult{
		Failures: []store.Failure{{MemberID: cm[0].ID, MessageID: msg.ID, Code: 451, Temporary: true}},
		RetryAt:  time.Now().Add(-time.Second),
	}), "CompleteChunk with failure")
	if _, err := s.ClaimChunk(ctx, "node-a", time.Minute, 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ClaimChunk at end: %v", err)
	}
	if q := pending(t, s); q.Retries != 1 || q.OpenFanouts != 0 || q.Chunks != 0 || q.Mail != 0 {
		t.Errorf("pending with one retry = %+v", q)
	}

	must(t, s.EnqueueMail(ctx, &store.QueuedMail{From: "a@example.org", To: "b@example.org", Raw: []byte("x")}), "EnqueueMail")
	if q := pending(t, s); q.Mail != 1 || q.Retries != 1 {
		t.Errorf("pending with mail = %+v", q)
	}
	rs, err := s.ClaimRetries(ctx, "node-a", time.Minute, 10)
	must(t, err, "ClaimRetries")
	if len(rs) != 1 {
		t.Fatalf("ClaimRetries = %d", len(rs))
	}
	must(t, s.FinishRetry(ctx, rs[0], nil, time.Time{}), "FinishRetry")
	ms, err := s.ClaimMail(ctx, "node-a", time.Minute, 10)
	must(t, err, "ClaimMail")
	if len(ms) != 1 {
		t.Fatalf("ClaimMail = %d", len(ms))
	}
	if q := pending(t, s); q.Mail != 1 {
		t.Errorf("leased mail no longer pending: %+v", q)
	}
	must(t, s.FinishMail(ctx, ms[0], nil, time.Time{}), "FinishMail")
	if q := pending(t, s); !q.Idle() {
		t.Errorf("pending at end = %+v, want idle", q)
	}
}

// ---------------------------------------------------------------- inbox

func testInbox(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "in@example.org")
	var ids []int64
	for _, kind := range []string{"request", "join", "leave", "bounces", "owner"} {
		in := &store.InboxItem{ListID: l.ID, Kind: kind, EnvelopeFrom: "x@example.net",
			Raw: []byte("Subject: " + kind + "\r\n\r\nhelp\r\n")}
		must(t, s.SaveInbox(ctx, in), "SaveInbox "+kind)
		if in.ID == 0 {
			t.Errorf("SaveInbox %s: ID not set", kind)
		}
		ids = append(ids, in.ID)
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(ids) {
		t.Errorf("SaveInbox ids not distinct: %v", ids)
	}
	// Administrative mail is not distributed.
	if q := pending(t, s); !q.Idle() {
		t.Errorf("SaveInbox queued work: %+v", q)
	}
}
