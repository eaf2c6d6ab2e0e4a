package pipeline

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

func header(t *testing.T, fields string) mailhdr.Header {
	t.Helper()
	h, _, err := mailhdr.Split([]byte("From: ann@example.org\r\n" + fields + "\r\nbody\r\n"))
	if err != nil {
		t.Fatalf("Split: %v", err)
	}
	return h
}

func TestIsLoop(t *testing.T) {
	l := &store.List{Address: "team@lists.example.org"}
	tests := []struct {
		name, fields string
		want         bool
	}{
		{"no list fields", "Subject: hi\r\n", false},
		{"our List-Id", "List-Id: <team.lists.example.org>\r\n", true},
		{"our List-Id with a phrase", "List-Id: Team list <team.lists.example.org>\r\n", true},
		{"our List-Id in other case", "list-id: \"Team\" <TEAM.Lists.Example.ORG>\r\n", true},
		{"our List-Id folded", "List-Id: Team\r\n <team.lists.example.org>\r\n", true},
		{"our List-Id second of two", "List-Id: <other.example.net>\r\nList-Id: <team.lists.example.org>\r\n", true},
		{"another list", "List-Id: Other <other.lists.example.org>\r\n", false},
		{"a list whose id ends like ours", "List-Id: <xteam.lists.example.org>\r\n", false},
		{"a list whose id starts like ours", "List-Id: <team.lists.example.org.evil.net>\r\n", false},
		{"our X-Loop", "X-Loop: team@lists.example.org\r\n", true},
		{"our X-Loop in brackets and other case", "X-LOOP: <Team@Lists.Example.org>\r\n", true},
		{"another X-Loop", "X-Loop: other@lists.example.org\r\n", false},
		{"X-Loop with our address inside a longer one", "X-Loop: myteam@lists.example.org\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isLoop(l, header(t, tt.fields)); got != tt.want {
				t.Errorf("isLoop = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsAutoSubmitted(t *testing.T) {
	tests := []struct {
		name, fields string
		want         bool
	}{
		{"plain post", "Subject: hi\r\n", false},
		{"Auto-Submitted: no", "Auto-Submitted: no\r\n", false},
		{"Auto-Submitted: No", "Auto-Submitted: No\r\n", false},
		{"Auto-Submitted: no with parameter", "Auto-Submitted: no; reason=x\r\n", false},
		{"Auto-Submitted: no with a comment (RFC 3834 allows CFWS)", "Auto-Submitted: no (typed by a human)\r\n", false},
		{"Auto-Submitted: no with a comment and parameter", "Auto-Submitted: no(human) ; x=y\r\n", false},
		{"auto-replied with a comment", "Auto-Submitted: auto-replied (vacation)\r\n", true},
		{"empty Auto-Submitted", "Auto-Submitted:\r\n", false},
		{"auto-replied", "Auto-Submitted: auto-replied\r\n", true},
		{"auto-generated", "Auto-Submitted: auto-generated\r\n", true},
		{"auto-notified", "Auto-Submitted: auto-notified\r\n", true},
		{"auto-replied with owner-email", "Auto-Submitted: auto-replied; owner-email=\"ann@example.org\"\r\n", true},
		{"folded value", "auto-submitted:\r\n auto-replied\r\n", true},
		{"X-Autoreply", "X-Autoreply: yes\r\n", true},
		{"X-Autorespond", "X-Autorespond: Out of office\r\n", true},
		{"X-Auto-Response-Suppress alone", "X-Auto-Response-Suppress: All\r\n", false},
		{"Precedence list alone", "Precedence: list\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isAutoSubmitted(header(t, tt.fields)); got != tt.want {
				t.Errorf("isAutoSubmitted = %v, want %v", got, tt.want)
			}
		})
	}
}

// corpusDir is ../shared/corpus next to the module root; skipped when
// absent, unless CI=true.
func corpusDir(t *testing.T) string {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(root) == root {
			root = "" // not inside the module: no corpus either
			break
		}
		root = filepath.Dir(root)
	}
	dir := filepath.Join(root, "..", "shared", "corpus")
	if fi, err := os.Stat(dir); root == "" || err != nil || !fi.IsDir() {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus %s missing (CI=true)", dir)
		}
		t.Skipf("corpus %s not present", dir)
	}
	return dir
}

// autoSubmittedField finds a top-level Auto-Submitted value by plain text
// search of the header (up to the first blank line), independent of mailhdr.
var autoSubmittedField = regexp.MustCompile(`(?im)^auto-submitted[ \t]*:[ \t]*([^;\r\n]*)`)

func topHeader(raw []byte) []byte {
	i, j := bytes.Index(raw, []byte("\r\n\r\n")), bytes.Index(raw, []byte("\n\n"))
	switch {
	case i >= 0 && (j < 0 || i < j):
		return raw[:i]
	case j >= 0:
		return raw[:j]
	}
	return raw
}

// TestCorpusAutoreplies runs isAutoSubmitted over the shared autoreply
// corpus. Not every autoreply can be told by its header (challenge-response
// and vacation mail without RFC 3834 fields), but every one carrying an
// Auto-Submitted value other than "no" must be caught.
func TestCorpusAutoreplies(t *testing.T) {
	dir := corpusDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "autoreplies", "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if !strings.HasPrefix(lines[0], "#") {
		t.Fatalf("MANIFEST first line %q", lines[0])
	}
	var files, detected, withField, splitFailed int
	for _, line := range lines[1:] {
		cols := strings.Split(line, "\t")
		if len(cols) < 4 {
			t.Fatalf("MANIFEST line %q", line)
		}
		file, kind := cols[0], cols[2]
		raw, err := os.ReadFile(filepath.Join(dir, "autoreplies", file))
		if err != nil {
			t.Error(err)
			continue
		}
		files++
		// An mbox "From " line is storage, never part of what SMTP carries.
		if bytes.HasPrefix(raw, []byte("From ")) {
			if i := bytes.IndexByte(raw, '\n'); i >= 0 {
				raw = raw[i+1:]
			}
		}
		m := autoSubmittedField.FindSubmatch(topHeader(raw))
		carries := m != nil && !strings.EqualFold(strings.TrimSpace(string(m[1])), "no")
		if carries {
			withField++
		}
		h, _, err := mailhdr.Split(raw)
		if err != nil {
			splitFailed++
			t.Logf("%s (%s): not split: %v", file, kind, err)
			if carries {
				t.Errorf("%s carries Auto-Submitted: %s but does not split", file, m[1])
			}
			continue
		}
		got := isAutoSubmitted(h)
		if got {
			detected++
		}
		if carries && !got {
			t.Errorf("%s carries Auto-Submitted: %s but is not detected", file, m[1])
		}
		if !got {
			t.Logf("not detected: %s (%s, reason %s)", file, kind, cols[5])
		}
	}
	t.Logf("autoreplies: %d files, %d detected by isAutoSubmitted, %d carry Auto-Submitted (not \"no\"), %d do not split",
		files, detected, withField, splitFailed)
}
