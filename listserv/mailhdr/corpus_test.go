package mailhdr

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// corpusDir is ../shared/corpus next to the module root (found by walking up
// from the package directory to go.mod). Without it the test is skipped,
// except under CI=true, where a missing corpus is a failure.
func corpusDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			root = "" // not inside the module: no corpus either
			break
		}
		root = parent
	}
	dir := filepath.Join(root, "..", "shared", "corpus")
	if fi, err := os.Stat(dir); root == "" || err != nil || !fi.IsDir() {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus %s missing (CI=true): %v", dir, err)
		}
		t.Skipf("corpus %s not present: %v", dir, err)
	}
	return dir
}

// manifestEntry is one line of a corpus MANIFEST (the agreed columns).
type manifestEntry struct {
	File, Addresses, Kind, Source string
	Notes                         string
}

// readManifest reads category/MANIFEST: UTF-8, tab separated, a first line
// starting with '#' naming the columns, one message file a line.
func readManifest(t testing.TB, dir, category string) []manifestEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, category, "MANIFEST"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "#") {
		t.Fatalf("%s/MANIFEST: first line %q does not start with '#'", category, lines[0])
	}
	var out []manifestEntry
	for i, l := range lines[1:] {
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			continue
		}
		c := strings.Split(l, "\t")
		if len(c) < 4 {
			t.Fatalf("%s/MANIFEST line %d: %d columns, want at least 4", category, i+2, len(c))
		}
		e := manifestEntry{File: c[0], Addresses: c[1], Kind: c[2], Source: c[3]}
		if len(c) >= 8 {
			e.Notes = c[7]
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		t.Fatalf("%s/MANIFEST lists no files", category)
	}
	return out
}

// lineEnding classifies a file: "crlf" (every LF after a CR, no bare CR),
// "lf" (no CR at all), "none" (no line end) or "mixed".
func lineEnding(b []byte) string {
	crlf := bytes.Count(b, []byte("\r\n"))
	lf := bytes.Count(b, []byte("\n")) - crlf
	cr := bytes.Count(b, []byte("\r")) - crlf
	switch {
	case crlf > 0 && lf == 0 && cr == 0:
		return "crlf"
	case lf > 0 && crlf == 0 && cr == 0:
		return "lf"
	case crlf == 0 && lf == 0 && cr == 0:
		return "none"
	}
	return "mixed"
}

// parseNoPanic runs Parse and returns any panic it raised.
func parseNoPanic(raw []byte) (p *Parsed, panicked any, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = r
		}
	}()
	p, err = Parse(raw)
	return p, nil, err
}

type corpusStats struct {
	files, splitOK, noHeader, panics int
	byEnding                         map[string]int // all files
	roundTrip                        map[string]int // split ok and rejoined exactly, by ending
	withFrom, withMsgID, withSubject int
}

// checkRoundTrip asserts the byte-preserving split on one message: the raw
// fields, the separator and the body are the input, and for a file with
// one line-end style, Bytes + blank line + body is the input.
func checkRoundTrip(t *testing.T, name string, raw []byte, h Header, body []byte) bool {
	t.Helper()
	joined := joinRaw(h)
	if !bytes.HasPrefix(raw, joined) {
		t.Errorf("%s: fields are not a prefix of the input", name)
		return false
	}
	sep := raw[len(joined) : len(raw)-len(body)]
	switch {
	case body == nil && len(sep) != 0:
		t.Errorf("%s: no body but %d bytes unaccounted for", name, len(sep))
		return false
	case body != nil && string(sep) != "\r\n" && string(sep) != "\n":
		t.Errorf("%s: separator %q", name, sep)
		return false
	}
	if !bytes.HasSuffix(raw, body) {
		t.Errorf("%s: body is not the end of the input", name)
		return false
	}
	switch lineEnding(raw) {
	case "crlf", "lf":
		eol := "\n"
		if lineEnding(raw) == "crlf" {
			eol = "\r\n"
		}
		var got []byte
		if body == nil {
			got = h.Bytes()
			if !bytes.HasSuffix(raw, []byte("\n")) {
				got = joined // Bytes adds the missing final line end
			}
		} else {
			if string(sep) != eol {
				t.Errorf("%s: separator %q in a %q file", name, sep, lineEnding(raw))
				return false
			}
			got = append(append(h.Bytes(), eol...), body...)
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("%s: header bytes + blank line + body differ from the input (%d vs %d bytes)", name, len(got), len(raw))
			return false
		}
	}
	return true
}

func (s *corpusStats) add(t *testing.T, name string, raw []byte) {
	s.files++
	s.byEnding[lineEnding(raw)]++
	p, panicked, err := parseNoPanic(raw)
	if panicked != nil {
		s.panics++
		t.Errorf("%s: Parse panicked: %v", name, panicked)
		return
	}
	h, body, serr := Split(raw)
	if (err == nil) != (serr == nil) {
		t.Errorf("%s: Parse error %v but Split error %v", name, err, serr)
	}
	if serr != nil {
		s.noHeader++
		return
	}
	s.splitOK++
	if p.From != "" {
		s.withFrom++
	}
	if p.MessageID != "" {
		s.withMsgID++
	}
	if p.Subject != "" {
		s.withSubject++
	}
	if checkRoundTrip(t, name, raw, h, body) {
		s.roundTrip[lineEnding(raw)]++
	}
}

func (s *corpusStats) log(t *testing.T, what string) {
	t.Logf("%s: %d files, line ends %v; Split accepts %d, ErrNoHeader %d, Parse panics %d; "+
		"exact round trip %v; parsed From %d, Message-ID %d, Subject %d",
		what, s.files, s.byEnding, s.splitOK, s.noHeader, s.panics, s.roundTrip, s.withFrom, s.withMsgID, s.withSubject)
}

func newStats() *corpusStats {
	return &corpusStats{byEnding: map[string]int{}, roundTrip: map[string]int{}}
}

// TestCorpus runs Split and Parse over every message file of the shared
// mime and threads corpora (whole files, as stored).
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	total := newStats()
	for _, category := range []string{"mime", "threads"} {
		s := newStats()
		for _, e := range readManifest(t, dir, category) {
			raw, err := os.ReadFile(filepath.Join(dir, category, e.File))
			if err != nil {
				t.Errorf("%s: %v", e.File, err)
				continue
			}
			s.add(t, category+"/"+e.File, raw)
			total.add(t, category+"/"+e.File, raw)
		}
		s.log(t, category)
	}
	total.log(t, "all")
}

var messagesNote = regexp.MustCompile(`messages=(\d+)`)

// splitMbox cuts an mbox into messages at "From " lines (at the start of
// the file or after a line end), dropping the From_ line itself.
func splitMbox(b []byte) [][]byte {
	var out [][]byte
	start := -1
	for i := 0; i < len(b); {
		nl := bytes.IndexByte(b[i:], '\n')
		end := len(b)
		if nl >= 0 {
			end = i + nl + 1
		}
		if bytes.HasPrefix(b[i:], []byte("From ")) {
			if start >= 0 {
				out = append(out, b[start:i])
			}
			start = end
		}
		i = end
	}
	if start >= 0 && start <= len(b) {
		out = append(out, b[start:])
	}
	return out
}

// TestCorpusMbox splits the thread mboxes into messages: each must Split,
// round-trip, and have the Message-ID Pony Mail's own tests expect.
func TestCorpusMbox(t *testing.T) {
	dir := corpusDir(t)
	s := newStats()
	var idsChecked, idsOK int
	for _, e := range readManifest(t, dir, "threads") {
		raw, err := os.ReadFile(filepath.Join(dir, "threads", e.File))
		if err != nil {
			t.Errorf("%s: %v", e.File, err)
			continue
		}
		msgs := splitMbox(raw)
		if m := messagesNote.FindStringSubmatch(e.Notes); m != nil {
			if n, _ := strconv.Atoi(m[1]); n != len(msgs) {
				t.Errorf("%s: %d messages, MANIFEST says %d", e.File, len(msgs), n)
			}
		}
		var want []string
		if b, err := os.ReadFile(filepath.Join(dir, "threads", e.File+".msgids")); err == nil {
			want = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if len(want) != len(msgs) {
				t.Errorf("%s: %d messages, %d expected Message-IDs", e.File, len(msgs), len(want))
				want = nil
			}
		}
		for i, m := range msgs {
			name := fmt.Sprintf("%s#%d", e.File, i+1)
			s.add(t, name, m)
			if want == nil {
				continue
			}
			p, err := Parse(m)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			idsChecked++
			if w := strings.Trim(want[i], "<>"); p.MessageID != w {
				t.Errorf("%s: Message-ID %q, want %q", name, p.MessageID, w)
				continue
			}
			idsOK++
		}
	}
	s.log(t, "threads split into messages")
	t.Logf("Message-IDs matching Pony Mail's expectations: %d of %d", idsOK, idsChecked)
}
