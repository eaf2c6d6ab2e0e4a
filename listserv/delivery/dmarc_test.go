package delivery

import (
	"bytes"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestMunge: From becomes the list with the author's name; the author
// goes to Reply-To, to Cc when the list sets Reply-To to itself, and an
// author's own Reply-To stays.
func TestMunge(t *testing.T) {
	raw := "From: Ann Example <ann@example.net>\r\nTo: team@lists.example.org\r\nSubject: hi\r\n\r\nbody\r\n"
	m := &store.Message{FromAddr: "ann@example.net", FromName: "Ann Example", State: store.StateAccepted}
	for _, tc := range []struct {
		replyTo, extra string
		want           map[string]string
	}{
		{"author", "", map[string]string{"Reply-To": "Ann Example <ann@example.net>", "Cc": ""}},
		{"list", "", map[string]string{"Reply-To": "<team@lists.example.org>", "Cc": "Ann Example <ann@example.net>"}},
		{"list", "Cc: bob@example.com\r\n", map[string]string{"Cc": "bob@example.com, Ann Example <ann@example.net>"}},
		{"author", "Reply-To: ann-home@example.org\r\n", map[string]string{"Reply-To": "ann-home@example.org"}},
	} {
		l := &store.List{Address: "team@lists.example.org", Name: "Team, the list", ReplyTo: tc.replyTo}
		m.Raw = []byte(tc.extra + raw)
		p, err := PrepareWith(l, m, "https://x", Options{DMARC: store.DMARCMunge})
		if err != nil {
			t.Fatal(err)
		}
		h, _, err := mailhdr.Split(append(p.Shared, "\r\n"...))
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Get("From"); strings.TrimSpace(got) != `"Ann Example via Team, the list" <team@lists.example.org>` {
			t.Errorf("From %q", got)
		}
		for k, v := range tc.want {
			if got := strings.TrimSpace(h.Get(k)); got != v {
				t.Errorf("reply-to %s, extra %q: %s = %q, want %q", tc.replyTo, tc.extra, k, got, v)
			}
		}
		if !bytes.Equal(p.Body, []byte("\r\nbody\r\n")) {
			t.Errorf("body changed: %q", p.Body)
		}
	}
}
