package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestOneLeaderWithTakeOver: two nodes on one database, exactly one runs the
// once-only jobs; when it stops, the other takes over.
func TestOneLeaderWithTakeOver(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		a := start(t, db)
		b := start(t, db)
		leaders := func() (n int, who *server.Server) {
			for _, s := range []*server.Server{a.srv, b.srv} {
				if s.Leading() {
					n, who = n+1, s
				}
			}
			return n, who
		}
		var first *server.Server
		waitFor(t, "a leader", func() bool { n, w := leaders(); first = w; return n == 1 })
		for range 10 { // and it stays one
			if n, _ := leaders(); n != 1 {
				t.Fatalf("%d leaders", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := first.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		other := a.srv
		if first == a.srv {
			other = b.srv
		}
		deadline := time.Now().Add(20 * time.Second)
		for !other.Leading() {
			if time.Now().After(deadline) {
				t.Fatal("no take-over after the leader stopped")
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The survivor still delivers what either node accepts.
		e := a
		if other == b.srv {
			e = b
		}
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "after", "after@x", ""))
		waitFor(t, "copies from the survivor", func() bool { return e.sink.Count() >= 4 })
	})
}
