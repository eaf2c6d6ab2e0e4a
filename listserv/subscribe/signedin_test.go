package subscribe

import (
	"errors"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestJoinSignedIn: on an open list the signed-in person joins at once,
// and a second time is "already"; on an approval list the request waits
// in the owners' queue with consent evidence that says so.
func TestJoinSignedIn(t *testing.T) {
	e, st, l := newEngine(t)
	ctx := t.Context()
	res, err := e.JoinSignedIn(ctx, l, "ann@example.org", "192.0.2.1")
	if err != nil || res.Member == nil || res.Held || res.Already {
		t.Fatalf("open list: %+v, %v; want joined", res, err)
	}
	if res, err = e.JoinSignedIn(ctx, l, "ann@example.org", "192.0.2.1"); err != nil || !res.Already {
		t.Fatalf("again: %+v, %v; want already a member", res, err)
	}

	if err := st.SetListAccess(ctx, &store.ListAccess{ListID: l.ID, Visibility: store.VisibilityPublic,
		Join: store.JoinApproval, Erasure: store.ErasureKeep}, "test"); err != nil {
		t.Fatal(err)
	}
	res, err = e.JoinSignedIn(ctx, l, "bob@example.org", "192.0.2.2")
	if err != nil || !res.Held || res.Member != nil {
		t.Fatalf("approval list: %+v, %v; want held", res, err)
	}
	if _, err := st.GetMember(ctx, l.ID, "bob@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("member before approval: %v, want not found", err)
	}
	held, err := st.ListHeld(ctx, l.ID)
	if err != nil || len(held) != 1 || held[0].From != "bob@example.org" {
		t.Fatalf("held queue: %+v, %v; want bob's request", held, err)
	}
	cs, err := st.ListConsent(ctx, "bob@example.org")
	if err != nil || len(cs) != 1 || !strings.Contains(cs[0].Detail, "waiting for owner approval") {
		var got []string
		for _, c := range cs {
			got = append(got, c.Detail)
		}
		t.Fatalf("consent details: %q, %v; want one record waiting for approval", got, err)
	}
}
