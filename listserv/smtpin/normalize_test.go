package smtpin

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // "" with refused
		refused  bool
	}{
		{name: "CRLF untouched", in: "Subject: a\r\n\r\nhello\r\n", want: "Subject: a\r\n\r\nhello\r\n"},
		{name: "empty", in: "", want: ""},
		{name: "no line end", in: "x", want: "x"},
		{name: "CRLF dot line is fine", in: "a\r\n.\r\nb\r\n", want: "a\r\n.\r\nb\r\n"},
		{name: "bare LF to CRLF", in: "Subject: a\n\nhello\nworld\n", want: "Subject: a\r\n\r\nhello\r\nworld\r\n"},
		{name: "mixed line ends", in: "A: b\r\nC: d\n\r\nbody\n", want: "A: b\r\nC: d\r\n\r\nbody\r\n"},
		{name: "leading bare LF", in: "\nx", want: "\r\nx"},
		{name: "LF LF", in: "a\n\nb", want: "a\r\n\r\nb"},
		{name: "dots that are not a dot line", in: "a\n..\n.x\nx.\n", want: "a\r\n..\r\n.x\r\nx.\r\n"},
		{name: "dot at the very end after bare LF", in: "a\n.", want: "a\r\n."},
		{name: "bare CR", in: "Subject: b\r\n\r\nhel\rlo\r\n", refused: true},
		{name: "bare CR at the end", in: "hello\r", refused: true},
		{name: "bare CR dot bare CR", in: "hello\r.\rworld\r\n", refused: true},
		{name: "CR CR LF", in: "hello\r\r\n", refused: true},
		{name: "LF dot LF", in: "hello\n.\nMAIL FROM:<evil@x>\r\n", refused: true},
		{name: "CRLF dot LF", in: "hello\r\n.\nMAIL FROM:<evil@x>\r\n", refused: true},
		{name: "LF dot CRLF", in: "hello\n.\r\nMAIL FROM:<evil@x>\r\n", refused: true},
		{name: "dot LF first line", in: ".\nrest", refused: true},
		{name: "LF dot LF at the end", in: "x\n.\n", refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := normalize([]byte(tt.in))
			if tt.refused {
				if !errors.Is(err, errSmuggle) || out != nil {
					t.Fatalf("normalize(%q) = %q, %v; want refused", tt.in, out, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("normalize(%q): %v", tt.in, err)
			}
			if string(out) != tt.want {
				t.Errorf("normalize(%q) = %q, want %q", tt.in, out, tt.want)
			}
		})
	}
}

// TestNormalizeNoCopy: clean CRLF input comes back as the same slice.
func TestNormalizeNoCopy(t *testing.T) {
	in := []byte(strings.Repeat("Line of text\r\n", 1000))
	out, err := normalize(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) || &out[0] != &in[0] {
		t.Error("CRLF-only input was copied")
	}
	if n := testing.AllocsPerRun(100, func() { normalize(in) }); n != 0 {
		t.Errorf("%v allocations for CRLF-only input", n)
	}
	lf := bytes.ReplaceAll(in, []byte("\r\n"), []byte("\n"))
	out, err = normalize(lf)
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("LF input: %v", err)
	}
	if &out[0] == &lf[0] {
		t.Error("LF input normalised in place")
	}
}

// smuggle is an independent statement of the policy: a bare CR anywhere,
// or a "." line (ended by a line feed) whose own line end or the previous
// line's end is a bare LF.
func smuggle(b []byte) bool {
	for i, c := range b {
		if c == '\r' && (i+1 >= len(b) || b[i+1] != '\n') {
			return true
		}
	}
	type line struct {
		text  string
		bare  bool // ended by a bare LF
		ended bool
	}
	var lines []line
	for s := string(b); s != ""; {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, line{text: s})
			break
		}
		l := line{text: s[:i], ended: true, bare: i == 0 || s[i-1] != '\r'}
		l.text = strings.TrimSuffix(l.text, "\r")
		lines = append(lines, l)
		s = s[i+1:]
	}
	for i, l := range lines {
		if l.text != "." || !l.ended {
			continue
		}
		if l.bare || i > 0 && lines[i-1].bare {
			return true
		}
	}
	return false
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"Subject: a\r\n\r\nhello\r\n",
		"a\nb\n",
		"a\r\n.\nb",
		"a\n.\r\nb",
		"a\n.\nb",
		".\n",
		"\n.",
		"a\rb",
		"\r",
		"\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		orig := bytes.Clone(in)
		out, err := normalize(in)
		if !bytes.Equal(in, orig) {
			t.Fatal("normalize changed its input")
		}
		if want := smuggle(in); (err != nil) != want {
			t.Fatalf("normalize(%q) error %v, policy says refuse=%v", in, err, want)
		}
		if err != nil {
			if out != nil {
				t.Fatalf("refused with output %q", out)
			}
			return
		}
		for i, c := range out {
			if c == '\r' && (i+1 >= len(out) || out[i+1] != '\n') {
				t.Fatalf("bare CR at %d in %q", i, out)
			}
			if c == '\n' && (i == 0 || out[i-1] != '\r') {
				t.Fatalf("bare LF at %d in %q", i, out)
			}
		}
		noCR := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\r"), nil) }
		if !bytes.Equal(noCR(out), noCR(in)) {
			t.Fatalf("normalize(%q) = %q changes more than CRs", in, out)
		}
		if !bytes.Contains(in, []byte("\n")) || bytes.Count(in, []byte("\r\n")) == bytes.Count(in, []byte("\n")) {
			if !bytes.Equal(out, in) {
				t.Fatalf("clean input changed: %q -> %q", in, out)
			}
		}
	})
}
