package main

import (
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestMemberSet: role, mode and name change through the admin engine,
// audited; bad values and strangers are refused with exit 2.
func TestMemberSet(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := b.newCLI(t)
			c.ok("list", "create", "team@example.org")
			c.ok("member", "add", "team@example.org", "ann@example.org", "bob@example.org")
			out := c.ok("member", "set", "team@example.org", "Ann@Example.org", "--role", "moderator", "--mode", "nomail", "--name", "Ann")
			if !strings.Contains(out, "role moderator, mode nomail") {
				t.Errorf("member set printed %q", out)
			}
			for _, m := range c.members("team@example.org") {
				want := memberJSON{Role: "member", Mode: "each"}
				if m.Address == "ann@example.org" {
					want = memberJSON{Role: "moderator", Mode: "nomail", Name: "Ann"}
				}
				if m.Role != want.Role || m.Mode != want.Mode || m.Name != want.Name {
					t.Errorf("%s: %+v, want %+v", m.Address, m, want)
				}
			}
			// Only the flags given change; --name "" clears.
			c.ok("member", "set", "team@example.org", "ann@example.org", "--name", "")
			ms := c.members("team@example.org")
			if ms[0].Name != "" || ms[0].Role != "moderator" {
				t.Errorf("after clearing the name: %+v", ms[0])
			}
			db := c.open()
			l, err := db.GetList(t.Context(), "team@example.org")
			if err != nil {
				t.Fatal(err)
			}
			as, err := db.ListAudit(t.Context(), l.ID, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			// member add is audited too (the oldest entry).
			if len(as) != 3 || !strings.Contains(as[1].Detail, `role "member" to "moderator"`) || as[2].Action != "add members" {
				t.Errorf("audit: %+v", as)
			}
			c.fails(2, []string{"role"}, "member", "set", "team@example.org", "ann@example.org", "--role", "boss")
			c.fails(2, []string{"nothing to change"}, "member", "set", "team@example.org", "ann@example.org")
			c.fails(2, []string{"not a member"}, "member", "set", "team@example.org", "zed@example.org", "--mode", "digest")
			c.fails(2, []string{"no list"}, "member", "set", "nope@example.org", "ann@example.org", "--mode", "digest")
		})
	}
}

// TestListRm: without --yes it says what would go and removes nothing
// (exit 2); with --yes the list, its members and held items go and the
// archive stays unless --purge; the address can be used again.
func TestListRm(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := b.newCLI(t)
			c.ok("list", "create", "team@example.org")
			c.ok("list", "create", "other@example.org")
			c.ok("member", "add", "team@example.org", "ann@example.org", "bob@example.org")
			db := c.open()
			l, err := db.GetList(t.Context(), "team@example.org")
			if err != nil {
				t.Fatal(err)
			}
			post := &store.Intake{Message: &store.Message{ListID: l.ID, State: store.StateAccepted, Raw: []byte("Subject: x\r\n\r\nhello\r\n"), FromAddr: "ann@example.org"}}
			if err := db.SaveIntake(t.Context(), []*store.Intake{post}); err != nil {
				t.Fatal(err)
			}
			r := c.fails(2, []string{"nothing removed", "--yes"}, "list", "rm", "team@example.org")
			if !strings.Contains(r.stdout, "2 members, 0 held items and 1 archived posts") {
				t.Errorf("list rm without --yes printed %q", r.stdout)
			}
			if len(c.lists()) != 2 {
				t.Fatal("list rm without --yes removed something")
			}
			out := c.ok("list", "rm", "team@example.org", "--yes")
			if !strings.Contains(out, "removed team@example.org") || !strings.Contains(out, "kept") {
				t.Errorf("list rm --yes printed %q", out)
			}
			if ls := c.lists(); len(ls) != 1 || ls[0].Address != "other@example.org" {
				t.Errorf("lists after rm: %+v", ls)
			}
			if f, err := db.ListFootprint(t.Context(), l.ID); err != nil || f.Posts != 1 || f.Members != 0 {
				t.Errorf("after rm: %+v %v (want the archive kept, no members)", f, err)
			}
			c.fails(2, []string{"no list"}, "list", "rm", "team@example.org", "--yes")
			c.ok("list", "create", "team@example.org")
			c.ok("list", "rm", "team@example.org", "--yes", "--purge")
			c.ok("list", "rm", "other@example.org", "--yes", "--purge")
			if ls := c.lists(); len(ls) != 0 {
				t.Errorf("lists after purge: %+v", ls)
			}
		})
	}
}
