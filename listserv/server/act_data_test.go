package server_test

import (
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestJoinNameIsInPersonalData: the name a person gave when joining (kept
// on the membership, shown by `member ls`) is in /me/data.json and fills
// the display-name box on /me until they save a profile of their own.
func TestJoinNameIsInPersonalData(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"},
			store.NewMember{Address: "newbie@example.org", Name: "Nora Newbie"})
		b := newBrowser(t, e)
		page := signIn(t, e, b, "newbie@example.org")
		if !strings.Contains(page, `value="Nora Newbie"`) {
			t.Errorf("/me's display-name box lacks the name given when joining:\n%s", page)
		}
		code, data := b.get("/me/data.json")
		if code != 200 || !strings.Contains(data, "Nora Newbie") {
			t.Errorf("/me/data.json (%d) lacks the name given when joining:\n%s", code, data)
		}
	})
}
