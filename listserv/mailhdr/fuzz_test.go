package mailhdr

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusSeeds returns small message files of the shared corpus, if it is
// there, to seed fuzz targets without copying them into the repository.
func corpusSeeds(f *testing.F, categories ...string) [][]byte {
	wd, err := os.Getwd()
	if err != nil {
		return nil
	}
	for {
		if _, err := os.Stat(filepath.Join(wd, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(wd) == wd {
			return nil
		}
		wd = filepath.Dir(wd)
	}
	dir := filepath.Join(wd, "..", "shared", "corpus")
	var out [][]byte
	for _, c := range categories {
		m, err := os.ReadFile(filepath.Join(dir, c, "MANIFEST"))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(m), "\n")[1:] {
			file, _, _ := strings.Cut(l, "\t")
			if file == "" {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, c, file))
			if err == nil && len(b) <= 8<<10 {
				out = append(out, b)
			}
		}
	}
	return out
}

// FuzzSplit: Split never panics, and when it accepts the input the fields'
// raw bytes, the separator ("\r\n" or "\n", none for a header-only message)
// and the body are exactly the input.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n",
		"Subject: folded\r\n line\r\n\tagain\r\n\r\n",
		"A: b\nC: d\n\nlf body\n",
		"A: b",
		"A: b\r\nC",
		"\r\nno header",
		"From x Mon Jan  1 00:00:00 2024\nA: b\n\n",
		"A: b\r\nx\r\n y: z\r\n\r\n",
		"A: b\r\n\rC: d\r\n\r\n",
		"A:\r\n \r\n\r\n",
		"\x0b: x\r\n\r\n",
		"",
	} {
		f.Add([]byte(s))
	}
	for _, b := range corpusSeeds(f, "mime", "autoreplies") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		orig := bytes.Clone(in)
		h, body, err := Split(in)
		if !bytes.Equal(in, orig) {
			t.Fatal("Split changed its input")
		}
		p, perr := Parse(in)
		if (err == nil) != (perr == nil) {
			t.Fatalf("Split error %v, Parse error %v", err, perr)
		}
		if err != nil {
			if !errors.Is(err, ErrNoHeader) || h != nil || body != nil {
				t.Fatalf("Split failed with %v, header %d fields, body %q", err, len(h), body)
			}
			return
		}
		if len(h) == 0 {
			t.Fatal("Split succeeded with no fields")
		}
		if len(p.Header) != len(h) || !bytes.Equal(p.Body, body) {
			t.Fatal("Parse split differently")
		}
		joined := joinRaw(h)
		if !bytes.HasPrefix(in, joined) || !bytes.HasSuffix(in, body) || len(joined)+len(body) > len(in) {
			t.Fatalf("fields %q and body %q do not frame the input", joined, body)
		}
		sep := string(in[len(joined) : len(in)-len(body)])
		if body == nil && sep != "" || body != nil && sep != "\r\n" && sep != "\n" {
			t.Fatalf("separator %q (body nil: %v)", sep, body == nil)
		}
		for i, fld := range h {
			raw := fld.Raw
			if len(raw) == 0 {
				t.Fatalf("field %d is empty", i)
			}
			last := i == len(h)-1
			if (!last || body != nil) && raw[len(raw)-1] != '\n' {
				t.Fatalf("field %d %q does not end its line", i, raw)
			}
			if raw[0] == ' ' || raw[0] == '\t' || raw[0] == '\n' || bytes.HasPrefix(raw, []byte("\r\n")) {
				t.Fatalf("field %d %q starts with a fold or a blank line", i, raw)
			}
			// Only folds inside a field: every inner LF is followed by a blank.
			for j := 0; j < len(raw)-1; j++ {
				if raw[j] == '\n' && raw[j+1] != ' ' && raw[j+1] != '\t' {
					t.Fatalf("field %d %q holds the start of another line", i, raw)
				}
			}
			colon := bytes.IndexByte(raw, ':')
			if colon <= 0 || fld.Name == "" || fld.Name != strings.TrimSpace(string(raw[:colon])) {
				t.Fatalf("field %d name %q from raw %q", i, fld.Name, raw)
			}
			if strings.ContainsAny(fld.Name, "\r\n") {
				t.Fatalf("field %d name %q spans lines", i, fld.Name)
			}
			if strings.Contains(fld.Value(), "\n") {
				t.Fatalf("field %d value %q is not unfolded", i, fld.Value())
			}
			if !h.Has(fld.Name) {
				t.Fatalf("Has(%q) is false", fld.Name)
			}
		}
		if body != nil && !bytes.Equal(h.Bytes(), joined) {
			t.Fatalf("Bytes %q differ from the raw fields %q", h.Bytes(), joined)
		}
		if got := append(append(h.Bytes(), sep...), body...); body != nil && !bytes.Equal(got, in) {
			t.Fatalf("Bytes + separator + body = %q, want %q", got, in)
		}
		// Rendering the header again and re-splitting gives the same fields.
		h2, body2, err := Split(append(append(h.Bytes(), "\r\n"...), body...))
		if err != nil || len(h2) != len(h) || !bytes.Equal(body2, body) {
			t.Fatalf("re-split of the rendered header: %v, %d fields (want %d)", err, len(h2), len(h))
		}
	})
}
