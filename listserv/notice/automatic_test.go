package notice

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

func header(t *testing.T, raw string) mailhdr.Header {
	t.Helper()
	h, _, err := mailhdr.Split([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestIsAutomatic(t *testing.T) {
	person := "From: Ann <ann@example.net>\r\nSubject: subscribe\r\n\r\n"
	for _, c := range []struct {
		name, env, raw string
		want           bool
	}{
		{"person", "ann@example.net", person, false},
		{"auto-submitted no (comment)", "ann@example.net", "Auto-Submitted: no (human)\r\n" + person, false},
		{"subject mentions absence", "ann@example.net", "From: ann@example.net\r\nSubject: my absence policy question\r\n\r\n", false},
		{"null sender", "", person, true},
		{"auto-replied", "ann@example.net", "Auto-Submitted: auto-replied\r\n" + person, true},
		{"precedence bulk", "ann@example.net", "Precedence: bulk\r\n" + person, true},
		{"list mail", "ann@example.net", "List-Id: <x.example.org>\r\n" + person, true},
		{"out of office", "ann@example.net", "From: ann@example.net\r\nSubject: Out of Office: Re: Confirm\r\n\r\n", true},
		{"automatic reply", "ann@example.net", "From: ann@example.net\r\nSubject: Automatic reply: Confirm\r\n\r\n", true},
		{"mailer-daemon", "MAILER-DAEMON@example.net", person, true},
		{"owner- sender", "owner-foo@example.net", person, true},
		{"-request sender", "team-request@example.org", person, true},
		{"report", "ann@example.net", "From: ann@example.net\r\nContent-Type: multipart/report; report-type=delivery-status\r\n\r\n", true},
	} {
		if got := IsAutomatic(c.env, header(t, c.raw)); got != c.want {
			t.Errorf("%s: IsAutomatic = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestIsAutomaticCorpus: every auto-reply in the shared corpus is
// recognised, with its Return-Path as the envelope sender.
func TestIsAutomaticCorpus(t *testing.T) {
	dir := filepath.Join(moduleRoot(t), "..", "shared", "corpus", "autoreplies")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus missing under CI: %v", err)
		}
		t.Skipf("corpus not present: %v", err)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(manifest), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 3 || strings.HasPrefix(line, "#") || f[2] != "autoreply" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, f[0]))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(raw, []byte("From ")) { // an mbox separator, never sent over SMTP
			raw = raw[bytes.IndexByte(raw, '\n')+1:]
		}
		raw = bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		h, _, err := mailhdr.Split(raw)
		if err != nil {
			t.Errorf("%s: %v", f[0], err)
			continue
		}
		env := strings.Trim(h.Get("Return-Path"), "<> ")
		if env == "" && h.Get("Return-Path") == "" {
			env = h.Get("From")
		}
		if !IsAutomatic(env, h) {
			t.Errorf("%s (%s) not recognised as automatic", f[0], f[5])
		}
		n++
	}
	if n < 10 {
		t.Errorf("only %d auto-replies checked", n)
	}
}

func moduleRoot(t *testing.T) string {
	wd, _ := os.Getwd()
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatal("no go.mod")
		}
	}
}

// TestOneDetector: the pipeline's drop rule, the engines' "never answer"
// rule and MayTell agree on RFC 3834's comment form (the old notice check
// took "no (typed by a human)" for an auto-reply and never told the author).
func TestOneDetector(t *testing.T) {
	for _, c := range []struct {
		field string
		auto  bool
	}{
		{"Auto-Submitted: no (typed by a human)\r\n", false},
		{"Auto-Submitted: no(human) ; x=y\r\n", false},
		{"Auto-Submitted: No\r\n", false},
		{"Auto-Submitted: auto-replied (vacation)\r\n", true},
		{"Auto-Submitted: auto-generated\r\n", true},
		{"X-Autoreply: yes\r\n", true},
	} {
		raw := c.field + "From: Ann <ann@example.net>\r\nSubject: hello\r\nMessage-ID: <a@x>\r\n\r\nbody\r\n"
		h := header(t, raw)
		m := &store.Message{EnvelopeFrom: "ann@example.net", FromAddr: "ann@example.net", Raw: []byte(raw)}
		if IsAutoReply(h) != c.auto || IsAutomatic("ann@example.net", h) != c.auto || MayTell(m) == c.auto {
			t.Errorf("%q: IsAutoReply %v, IsAutomatic %v, MayTell %v; want automatic = %v",
				c.field, IsAutoReply(h), IsAutomatic("ann@example.net", h), MayTell(m), c.auto)
		}
	}
	spam := "X-Spam-Flag: YES\r\nFrom: ann@example.net\r\n\r\nx\r\n"
	if MayTell(&store.Message{EnvelopeFrom: "ann@example.net", FromAddr: "ann@example.net", Raw: []byte(spam)}) {
		t.Error("MayTell answers mail marked as spam")
	}
}

// TestMessageIDUnique: the one Message-ID maker never repeats itself.
func TestMessageIDUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := MessageID("t", "lists.example.org")
		if seen[id] || !strings.HasSuffix(id, "@lists.example.org") || !strings.HasPrefix(id, "t.") {
			t.Fatalf("MessageID = %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}
