package storetest

import (
	"sync"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

var dedupTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"IntakeDuplicates", testIntakeDuplicates},
	{"IntakeDuplicatesConcurrent", testIntakeDuplicatesConcurrent},
}

// save stores items in one batch and reports which were duplicates.
func save(t *testing.T, s store.Store, items ...*store.Intake) []bool {
	t.Helper()
	must(t, s.SaveIntake(t.Context(), items), "save intake")
	dup := make([]bool, len(items))
	for i, it := range items {
		dup[i] = it.Duplicate
		if it.Duplicate != (it.Message.ID == 0) {
			t.Errorf("item %d: Duplicate %v with message ID %d", i, it.Duplicate, it.Message.ID)
		}
	}
	return dup
}

func withID(m *store.Message, id string) *store.Message { m.MessageID = id; return m }

// testIntakeDuplicates: a list stores a Message-ID once, whatever the
// message's state, within a batch or across batches; other lists, owner
// mail and messages without a Message-ID are apart.
func testIntakeDuplicates(t *testing.T, s store.Store) {
	a, b := mustList(t, s, "dupa@example.org"), mustList(t, s, "dupb@example.org")
	ms := addMembers(t, s, a.ID, nMembers("dup", 3))

	first := &store.Intake{Message: withID(newMsg(a.ID, store.StateAccepted, "first"), "x@example.net")}
	if d := save(t, s, first); d[0] {
		t.Fatal("first copy marked duplicate")
	}
	again := &store.Intake{Message: withID(newMsg(a.ID, store.StateAccepted, "again"), "x@example.net")}
	if d := save(t, s, again); !d[0] {
		t.Error("second copy of x@example.net stored again")
	}
	held := &store.Intake{Message: withID(newMsg(a.ID, store.StateHeld, "held"), "x@example.net")}
	held.Message.Reason = "held"
	if d := save(t, s, held); !d[0] || held.HeldID != 0 {
		t.Errorf("held copy: duplicate %v, held id %d; want a duplicate and no held item", d[0], held.HeldID)
	}
	// One fan-out for the one stored copy: each member is reached once.
	want := map[int64]bool{}
	for _, m := range ms {
		want[m.ID] = true
	}
	seen, _ := drain(t, s, "node-a", 100)
	checkExactlyOnce(t, seen, want, "fan-out after duplicates")

	// In one batch, the first of two copies is stored.
	d := save(t, s,
		&store.Intake{Message: withID(newMsg(a.ID, store.StateHeld, "batch 1"), "y@example.net")},
		&store.Intake{Message: withID(newMsg(a.ID, store.StateHeld, "batch 2"), "y@example.net")},
		&store.Intake{Message: withID(newMsg(b.ID, store.StateHeld, "other list"), "y@example.net")},
		&store.Intake{Message: withID(newMsg(a.ID, store.StateOwner, "to owners"), "y@example.net"), Audience: "owners"},
		&store.Intake{Message: withID(newMsg(a.ID, store.StateOwner, "to owners again"), "y@example.net"), Audience: "owners"},
		&store.Intake{Message: withID(newMsg(a.ID, store.StateAccepted, "no id 1"), "")},
		&store.Intake{Message: withID(newMsg(a.ID, store.StateAccepted, "no id 2"), "")},
	)
	if wantD := []bool{false, true, false, false, true, false, false}; !equalBools(d, wantD) {
		t.Errorf("duplicates in one batch = %v, want %v", d, wantD)
	}
	held2, err := s.ListHeld(t.Context(), a.ID)
	must(t, err, "list held")
	if len(held2) != 1 || held2[0].Subject != "batch 1" {
		t.Errorf("held on list a = %d items, want only batch 1", len(held2))
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// testIntakeDuplicatesConcurrent: copies saved at the same time by
// separate callers (two SMTP sessions, two nodes) store exactly one.
func testIntakeDuplicatesConcurrent(t *testing.T, s store.Store) {
	l := mustList(t, s, "dupc@example.org")
	const n = 8
	items := make([]*store.Intake, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range items {
		items[i] = &store.Intake{Message: withID(newMsg(l.ID, store.StateAccepted, "race"), "race@example.net")}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.SaveIntake(t.Context(), []*store.Intake{items[i]})
		}()
	}
	wg.Wait()
	stored := 0
	for i, it := range items {
		must(t, errs[i], "concurrent save intake")
		if !it.Duplicate {
			stored++
		}
	}
	if stored != 1 {
		t.Errorf("%d of %d concurrent copies stored, want 1", stored, n)
	}
	if q := pending(t, s); q.OpenFanouts != 1 {
		t.Errorf("%d open fan-outs, want 1", q.OpenFanouts)
	}
}
