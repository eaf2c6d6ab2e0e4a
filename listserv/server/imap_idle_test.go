package server_test

import (
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// TestIMAPIdle: a client idling on a list is told about a new post
// (EXISTS) soon after the post is committed, on SQLite and PostgreSQL.
func TestIMAPIdle(t *testing.T) {
	stores(t, func(t *testing.T, dbURL string) {
		e := startIMAP(t, dbURL)
		pw := e.appPassword(t, "ann@example.net")
		e.post(t, e.team, "bob@example.net", "Before", "Already there.")
		exists := make(chan uint32, 8)
		c, err := imapclient.DialInsecure(e.imapAddr(), &imapclient.Options{
			UnilateralDataHandler: &imapclient.UnilateralDataHandler{
				Mailbox: func(d *imapclient.UnilateralDataMailbox) {
					if d.NumMessages != nil {
						exists <- *d.NumMessages
					}
				},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Login("ann@example.net", pw).Wait(); err != nil {
			t.Fatal(err)
		}
		sel, err := c.Select("Lists/team@lists.example.org", nil).Wait()
		if err != nil || sel.NumMessages != 1 {
			t.Fatalf("select: %+v, %v", sel, err)
		}
		idle, err := c.Idle()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // the server is in IDLE (one poll tick is 1 s)
		sent := time.Now()
		e.post(t, e.team, "bob@example.net", "During IDLE", "Announced.")
		select {
		case n := <-exists:
			t.Logf("%s: EXISTS %d announced %v after the post was sent", dbURL[:min(len(dbURL), 8)], n, time.Since(sent).Round(time.Millisecond))
			if n != 2 {
				t.Errorf("EXISTS %d, want 2", n)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no EXISTS within 5 s of the post")
		}
		if err := idle.Close(); err != nil {
			t.Fatal(err)
		}
		if err := idle.Wait(); err != nil {
			t.Fatal(err)
		}
	})
}
