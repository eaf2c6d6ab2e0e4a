package main

import (
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// A name typed into the public join form and a held post's subject, each
// trying to drive the terminal and forge a row.
const (
	evilName    = "Eve\x1b[2J\x1b]0;pwned\x07\nforged@example.org  owner  each  enabled  Root\u202egnp.exe\u009b31m\x7f\r!"
	evilSubject = "Hi\x1b[31m\tred\nID  LIST  FROM\u2066!"
)

func TestTablesEscapeStrangersText(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := b.newCLI(t)
			c.ok("list", "create", "team@example.org", "--policy", "moderated")
			db := c.open()
			l, err := db.GetList(t.Context(), "team@example.org")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.AddMembers(t.Context(), l.ID, []store.NewMember{{Address: "eve@example.org", Name: evilName}}); err != nil {
				t.Fatal(err)
			}
			it := &store.Intake{Message: &store.Message{ListID: l.ID, State: store.StateHeld, Reason: "moderated",
				FromAddr: "eve@example.org", EnvelopeFrom: "eve@example.org", Subject: evilSubject, Raw: []byte("Subject: x\r\n\r\nx\r\n")}}
			if err := db.SaveIntake(t.Context(), []*store.Intake{it}); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"member", "ls", "team@example.org"}, {"held", "ls"}} {
				out := c.ok(args...)
				if lines := strings.Count(out, "\n"); lines != 2 {
					t.Errorf("%s printed %d lines, want a header and one row:\n%s", strings.Join(args, " "), lines, out)
				}
				if i := strings.IndexFunc(out, func(r rune) bool {
					return (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || r == 0x202e || r == 0x2066 || r == 0xfffd
				}); i >= 0 {
					t.Errorf("%s printed a control character %q:\n%q", strings.Join(args, " "), out[i:i+1], out)
				}
			}
			if out := c.ok("member", "ls", "team@example.org"); !strings.Contains(out, `Eve\x1b[2J\x1b]0;pwned\x07\x0aforged@example.org`) ||
				!strings.Contains(out, `Root\u202egnp.exe\u009b31m\x7f\x0d!`) {
				t.Errorf("member ls does not show the escaped name:\n%s", out)
			}
			if out := c.ok("held", "ls"); !strings.Contains(out, `Hi\x1b[31m\x09red\x0aID  LIST  FROM\u2066!`) {
				t.Errorf("held ls does not show the escaped subject:\n%s", out)
			}
			// JSON stays exact.
			if ms := c.members("team@example.org"); len(ms) != 1 || ms[0].Name != evilName {
				t.Errorf("member ls --json changed the name: %+v", ms)
			}
			if hs := c.held(); len(hs) != 1 || hs[0].Subject != evilSubject {
				t.Errorf("held ls --json: %+v", hs)
			}
		})
	}
}

func TestSafeText(t *testing.T) {
	for in, want := range map[string]string{
		"plain Ünïcödé 名前":   "plain Ünïcödé 名前",
		"a\tb\nc\x00":        `a\x09b\x0ac\x00`,
		"bad \xff\xc3":       `bad \xff\xc3`,
		"\u2028\u200f\u061c": `\u2028\u200f\u061c`,
	} {
		if got := safeText(in); got != want {
			t.Errorf("safeText(%q) = %q, want %q", in, got, want)
		}
	}
}
