package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestOwnPostsPreference: a member who turned off copies of their own
// posts gets none of theirs, and still gets everyone else's.
func TestOwnPostsPreference(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		ctx := context.Background()
		ann, err := e.st.GetMember(ctx, l.ID, "ann@example.net")
		if err != nil {
			t.Fatal(err)
		}
		p := store.DefaultMemberPrefs(ann.ID)
		p.OwnPosts = false
		if err := e.st.SetDelivery(ctx, ann.ID, store.ModeEach, p); err != nil {
			t.Fatal(err)
		}
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "mine", "own1@x", ""))
		waitFor(t, "copies to the others", func() bool { return e.sink.CountFor("owner@example.net") == 1 })
		e.mustSend(t, "bob@example.com", []string{"team@lists.example.org"}, post("bob@example.com", "bob's", "own2@x", ""))
		waitFor(t, "bob's post to ann", func() bool { return e.sink.CountFor("ann@example.net") == 1 })
		time.Sleep(100 * time.Millisecond)
		for _, m := range e.copiesTo("ann@example.net") {
			if m.Header("Message-ID") == "<own1@x>" {
				t.Error("ann got a copy of her own post after opting out")
			}
		}
		if n := e.sink.CountFor("bob@example.com"); n != 2 {
			t.Errorf("bob got %d copies, want 2 (his own included by default)", n)
		}
	})
}
