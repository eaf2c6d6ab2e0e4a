package delivery

import (
	"bytes"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// FuzzPrepare: whatever mailhdr.Split accepts renders without panic; the
// copy splits again at the same place, ends with the original body, carries
// each list field once, and (for input as intake stores it, without bare
// CR) has no header line that would need dot-stuffing.
func FuzzPrepare(f *testing.F) {
	f.Add([]byte(realPost), "Grüße", "Team", false)
	f.Add([]byte("From: a@example.org\r\nSubject: x"), "x", "", true)
	f.Add([]byte("From: a\nSubject: \n\n.\n"), "", "Team, Inc.", false)
	f.Add([]byte("From: a\r\n.Evil: x\r\nX: y\r\n\r\n..\r\n"), "Re: [team] y", "Équipe (Paris)", true)
	f.Add([]byte("Subject: long\r\n\r\n"), strings.Repeat("Grüße ", 300), "Team", false)
	f.Add([]byte("Subject: long\r\n\r\n"), strings.Repeat("word ", 400), "Team", false)
	f.Fuzz(func(t *testing.T, raw []byte, subject, name string, announce bool) {
		h, body, err := mailhdr.Split(raw)
		if err != nil {
			return
		}
		l := &store.List{Address: "team@lists.example.org", Name: name, Policy: store.PolicyOpen,
			Archive: "public", SubjectPrefix: "[team]", ReplyTo: "list"}
		if announce {
			l.Policy, l.Archive, l.ReplyTo = store.PolicyAnnounce, "off", "author"
		}
		p, err := Prepare(l, &store.Message{Raw: bytes.Clone(raw), Subject: subject}, "https://lists.example.org/")
		if err != nil {
			t.Fatalf("Prepare refused what Split accepts: %v", err)
		}
		var b bytes.Buffer
		p.AppendCopy(&b, "TOKEN")
		cp := b.Bytes()
		if !bytes.HasSuffix(cp, body) || !bytes.HasSuffix(cp, append([]byte("\r\n"), body...)) {
			t.Fatalf("copy does not end with blank line + original body %q", body)
		}
		h2, body2, err := mailhdr.Split(cp)
		if err != nil {
			t.Fatalf("copy does not split: %v", err)
		}
		if !bytes.Equal(body2, body) {
			t.Fatalf("copy splits at another place: body %q, want %q", body2, body)
		}
		for _, n := range []string{"List-Id", "List-Post", "List-Help", "List-Subscribe", "List-Owner",
			"List-Unsubscribe", "List-Unsubscribe-Post", "Precedence", "X-Loop", "Subject"} {
			if got := len(h2.Values(n)); got != 1 {
				t.Fatalf("%d %s fields", got, n)
			}
		}
		// The rewritten Subject is folded: no line passes 998 octets unless
		// one word alone is that long.
		for _, f := range h2 {
			if !strings.EqualFold(f.Name, "Subject") {
				continue
			}
			long := false
			for _, w := range strings.Fields(f.Value()) {
				long = long || len(w) > 900
			}
			for _, line := range strings.Split(string(f.Raw), "\n") {
				if len(line) > 998 && !long {
					t.Fatalf("Subject line of %d octets", len(line))
				}
			}
		}
		if h2.Has("Return-Path") || h2.Has("Delivered-To") || announce && h2.Has("List-Archive") {
			t.Fatal("a dropped field travelled")
		}
		if !announce && len(h2.Values("Reply-To")) != 1 {
			t.Fatalf("Reply-To %q", h2.Values("Reply-To"))
		}
		if announce && len(h2.Values("Reply-To")) != len(h.Values("Reply-To")) {
			t.Fatal("author Reply-To changed")
		}
		head := cp[:len(cp)-len(p.Body)]
		if bytes.Contains(raw, []byte("\r")) && bytes.Count(raw, []byte("\r")) != bytes.Count(raw, []byte("\r\n")) {
			return // bare CR: refused at intake, never stored
		}
		for _, line := range bytes.Split(head, []byte("\n")) {
			if len(line) > 0 && line[0] == '.' {
				t.Fatalf("header line %q needs dot-stuffing", line)
			}
		}
		for _, line := range strings.Split(string(p.Stuffed), "\n") {
			if strings.TrimSuffix(line, "\r") == "." {
				t.Fatalf("stuffed body holds a lone dot line: %q", p.Stuffed)
			}
		}
		if got := unstuff(p.Stuffed); !bytes.Equal(got, p.Body) && !bytes.Equal(got, append(bytes.Clone(p.Body), '\r', '\n')) {
			t.Fatalf("Stuffed unstuffs to %q, want %q", got, p.Body)
		}
	})
}
