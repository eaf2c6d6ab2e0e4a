package main

import (
	"testing"
)

// TestMemberRmRecordsDeparture: `member rm` leaves consent evidence like
// every other way of leaving (the web, the one-click link, a confirmed mail
// request), naming the operator, and mails nobody.
func TestMemberRmRecordsDeparture(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := b.newCLI(t)
			c.ok("list", "create", "team@example.org")
			c.ok("member", "add", "team@example.org", "a@example.org", "b@example.org")
			c.ok("member", "rm", "team@example.org", "A@example.org")
			db := c.open()
			cs, err := db.ListConsent(t.Context(), "a@example.org")
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 1 || cs[0].Action != "left" || cs[0].How != "operator" || cs[0].Origin == "" ||
				cs[0].ListAddress != "team@example.org" {
				t.Errorf("consent after member rm: %+v, want one 'left' row by the operator", cs)
			}
			if ms := drainMail(t, db); len(ms) != 0 {
				t.Errorf("member rm queued %d mails", len(ms))
			}
		})
	}
}
