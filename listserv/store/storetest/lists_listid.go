package storetest

import (
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// testListByListID: a list is found by its RFC 2919 id whatever the case,
// the shortest local part wins a shared id, and absurd ids are not found.
func testListByListID(t *testing.T, s store.Store) {
	ctx := t.Context()
	team := mustList(t, s, "team@lists.example.org")
	dotted := mustList(t, s, "first.last@example.org")
	for id, want := range map[string]int64{
		"team.lists.example.org": team.ID, "TEAM.Lists.Example.ORG": team.ID,
		"first.last.example.org": dotted.ID,
	} {
		got, err := s.GetListByListID(ctx, id)
		if err != nil || got.ID != want {
			t.Errorf("GetListByListID(%q) = %+v, %v; want list %d", id, got, err, want)
		}
	}
	// a@b.c.d and a.b@c.d share the id a.b.c.d.
	short := mustList(t, s, "first@last.example.org")
	if got, err := s.GetListByListID(ctx, "first.last.example.org"); err != nil || got.ID != short.ID {
		t.Errorf("shared id resolved to %+v, %v; want %s", got, err, short.Address)
	}
	for _, id := range []string{"", "team", "team@lists.example.org", "nosuch.lists.example.org",
		strings.Repeat("a.", 20000) + "example.org"} {
		_, err := s.GetListByListID(ctx, id)
		wantErr(t, err, store.ErrNotFound, "GetListByListID("+id[:min(len(id), 40)]+")")
	}
}
