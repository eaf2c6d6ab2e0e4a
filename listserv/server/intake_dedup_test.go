package server_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestDuplicatePostStoredOnce: a post whose Message-ID the list already
// has (a retry after a lost 250, a client that sends twice, a cross-post
// looping back) is answered 250 and neither stored nor sent again; the
// same Message-ID on another list is that list's post.
func TestDuplicatePostStoredOnce(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		mod := e.list(t, &store.List{Address: "mod@lists.example.org", Policy: store.PolicyModerated})
		other := e.list(t, &store.List{Address: "other@lists.example.org", Policy: store.PolicyModerated})

		raw := post("ann@example.net", "Sent twice", "twice@example.net", "")
		for i := 0; i < 2; i++ {
			if err := e.send(t, "ann@example.net", []string{"team@lists.example.org", "mod@lists.example.org"}, raw); err != nil {
				t.Fatalf("send %d: %v, want 250", i+1, err)
			}
		}
		// Two sessions at once: one copy between them.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = sendTo(e.srv.Addr("smtp"), "mod@lists.example.org", raw)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent send %d: %v, want 250", i, err)
			}
		}
		if n := e.heldOn(t, mod); n != 1 {
			t.Errorf("%d copies held on mod, want 1", n)
		}
		// The control: the same Message-ID is new to another list.
		e.mustSend(t, "ann@example.net", []string{"other@lists.example.org"}, raw)
		if n := e.heldOn(t, other); n != 1 {
			t.Errorf("%d copies held on other, want 1", n)
		}
		// And the distributed one reached every member once.
		e.waitCopies(t, "Sent twice")
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Next one", "next@example.net", ""))
		e.waitCopies(t, "Next one")
		for _, a := range eachMembers {
			n := 0
			for _, m := range e.copiesTo(a) {
				if strings.Contains(m.Header("Subject"), "Sent twice") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s got %d copies of the post sent twice, want 1", a, n)
			}
		}
	})
}

// sendTo posts raw over SMTP without touching t (safe in goroutines).
func sendTo(addr, rcpt, raw string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.SendMail("ann@example.net", []string{rcpt}, strings.NewReader(raw))
}
