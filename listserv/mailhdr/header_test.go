package mailhdr

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// joinRaw concatenates the raw bytes of every field, untouched.
func joinRaw(h Header) []byte {
	var b []byte
	for _, f := range h {
		b = append(b, f.Raw...)
	}
	return b
}

func names(h Header) []string {
	var out []string
	for _, f := range h {
		out = append(out, f.Name)
	}
	return out
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		names  []string // field names, in order
		raws   []string // field raw bytes, when checked
		body   string
		noBody bool // no blank line: body is nil
		err    error
	}{
		{
			name:  "simple CRLF",
			in:    "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n",
			names: []string{"From", "Subject"},
			raws:  []string{"From: a@example.org\r\n", "Subject: hi\r\n"},
			body:  "body\r\n",
		},
		{
			name:  "folded fields keep their folding",
			in:    "Subject: a long\r\n subject\r\n\tthat folds\r\nTo: b@example.org,\r\n  c@example.org\r\n\r\nx",
			names: []string{"Subject", "To"},
			raws:  []string{"Subject: a long\r\n subject\r\n\tthat folds\r\n", "To: b@example.org,\r\n  c@example.org\r\n"},
			body:  "x",
		},
		{
			name:  "LF only",
			in:    "From: a@example.org\nSubject: folded\n more\n\nbody\nline 2\n",
			names: []string{"From", "Subject"},
			raws:  []string{"From: a@example.org\n", "Subject: folded\n more\n"},
			body:  "body\nline 2\n",
		},
		{
			name:  "blank line then empty body",
			in:    "Subject: x\r\n\r\n",
			names: []string{"Subject"},
			body:  "",
		},
		{
			name:   "header only, ending in CRLF",
			in:     "Subject: x\r\nFrom: a@example.org\r\n",
			names:  []string{"Subject", "From"},
			noBody: true,
		},
		{
			name:   "header only, no final line end",
			in:     "Subject: x\r\nFrom: a@example.org",
			names:  []string{"Subject", "From"},
			raws:   []string{"Subject: x\r\n", "From: a@example.org"},
			noBody: true,
		},
		{
			name:  "body keeps a second blank line and header-like lines",
			in:    "Subject: x\r\n\r\n\r\nTo: not-a-field@example.org\r\n",
			names: []string{"Subject"},
			body:  "\r\nTo: not-a-field@example.org\r\n",
		},
		{
			name:  "empty value and no space after colon",
			in:    "X-Empty:\r\nX-Tight:value\r\n\r\n",
			names: []string{"X-Empty", "X-Tight"},
			body:  "",
		},
		{
			name:  "odd but valid field-name characters",
			in:    "X-Odd_Name.1!#$%&'*+^`{|}~: v\r\nx-lower: w\r\n\r\nb",
			names: []string{"X-Odd_Name.1!#$%&'*+^`{|}~", "x-lower"},
			body:  "b",
		},
		{
			name:  "8-bit field name",
			in:    "X-Gr\xc3\xbc\xc3\x9fe: hallo\r\n\r\nb",
			names: []string{"X-Gr\xc3\xbc\xc3\x9fe"},
			body:  "b",
		},
		{
			name:  "obsolete space before the colon, not on the first line",
			in:    "From: a@example.org\r\nSubject : hi\r\n\r\nb",
			names: []string{"From", "Subject"},
			body:  "b",
		},
		{
			name:  "colon inside the value",
			in:    "Date: Mon, 1 Jan 2024 10:11:12 +0000\r\n\r\n",
			names: []string{"Date"},
			body:  "",
		},
		{name: "empty input", in: "", err: ErrNoHeader},
		{name: "mbox From_ line first", in: "From a@example.org Mon Jan  1 10:11:12 2024\r\nSubject: x\r\n\r\nb", err: ErrNoHeader},
		{name: "first line without colon", in: "hello world\r\n\r\nb", err: ErrNoHeader},
		{name: "first line folded", in: " Subject: x\r\n\r\nb", err: ErrNoHeader},
		{name: "first line starts with colon", in: ": x\r\n\r\nb", err: ErrNoHeader},
		{name: "space before colon on first line", in: "Subject : x\r\n\r\nb", err: ErrNoHeader},
		{name: "later line without colon", in: "Subject: x\r\ngarbage\r\n\r\nb", err: ErrNoHeader},
		{name: "blank line first: no header at all", in: "\r\nbody only\r\n", err: ErrNoHeader},
		{name: "LF blank line first", in: "\nbody only\n", err: ErrNoHeader},
		{name: "colon only in a continuation line", in: "Subject: x\r\ngarbage\r\n more: y\r\n\r\nb", err: ErrNoHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, body, err := Split([]byte(tt.in))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Split error %v, want %v (header %q)", err, tt.err, names(h))
				}
				if h != nil || body != nil {
					t.Errorf("on error got header %q body %q, want nil", names(h), body)
				}
				return
			}
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if got := names(h); !reflect.DeepEqual(got, tt.names) {
				t.Errorf("names %q, want %q", got, tt.names)
			}
			if tt.raws != nil {
				for i, f := range h {
					if i < len(tt.raws) && string(f.Raw) != tt.raws[i] {
						t.Errorf("field %d raw %q, want %q", i, f.Raw, tt.raws[i])
					}
				}
			}
			if tt.noBody {
				if body != nil {
					t.Errorf("body %q, want nil", body)
				}
				if !bytes.Equal(joinRaw(h), []byte(tt.in)) {
					t.Errorf("header-only fields %q do not add up to the input", joinRaw(h))
				}
				return
			}
			if body == nil || string(body) != tt.body {
				t.Errorf("body %q (nil %v), want %q", body, body == nil, tt.body)
			}
			sep := tt.in[len(joinRaw(h)) : len(tt.in)-len(body)]
			if sep != "\r\n" && sep != "\n" {
				t.Errorf("separator %q", sep)
			}
			if got := string(joinRaw(h)) + sep + string(body); got != tt.in {
				t.Errorf("rejoined %q, want %q", got, tt.in)
			}
		})
	}
}

// TestBytesRoundTrip: for CRLF input, Bytes + blank line + body is the
// input, byte for byte (the body is never touched).
func TestBytesRoundTrip(t *testing.T) {
	for _, in := range []string{
		"From: \"Ann\" <ann@example.org>\r\nTo: team@lists.example.org\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n  and more\r\n\r\nHello\r\n\r\n-- \r\nAnn\r\n",
		"Subject: x\r\n\r\n",
		"A: 1\r\nB: 2\r\n\r\n\r\n\r\n",
		"DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1;\r\n\tbh=abc=; h=From:To:Subject;\r\n\tb=xyz\r\nFrom: a@example.org\r\n\r\n\xff\xfe binary \x00 body\r\n",
	} {
		h, body, err := Split([]byte(in))
		if err != nil {
			t.Fatalf("Split(%q): %v", in, err)
		}
		got := append(append(h.Bytes(), "\r\n"...), body...)
		if string(got) != in {
			t.Errorf("round trip\n got %q\nwant %q", got, in)
		}
	}
	// A header-only message without a final line end gets one from Bytes.
	h, _, err := Split([]byte("A: 1\r\nB: 2"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(h.Bytes()); got != "A: 1\r\nB: 2\r\n" {
		t.Errorf("Bytes %q, want the last field CRLF ended", got)
	}
}

func testHeader(t *testing.T) Header {
	t.Helper()
	h, _, err := Split([]byte("Received: from a\r\n\tby b\r\n" +
		"From: Ann <ann@example.org>\r\n" +
		"Subject:   spaced out  \r\n" +
		"received: from c\r\n" +
		"X-Folded: one\r\n two\r\n\tthree\r\n" +
		"X-LF: lf\n line\n" +
		"Empty:\r\n" +
		"\r\nbody"))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestGetValuesHas(t *testing.T) {
	h := testHeader(t)
	for _, tt := range []struct{ name, want string }{
		{"From", "Ann <ann@example.org>"},
		{"from", "Ann <ann@example.org>"},
		{"SUBJECT", "spaced out"},
		{"Received", "from a\tby b"},
		{"X-Folded", "one two\tthree"},
		{"X-LF", "lf line"},
		{"Empty", ""},
		{"Missing", ""},
	} {
		if got := h.Get(tt.name); got != tt.want {
			t.Errorf("Get(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got, want := h.Values("RECEIVED"), []string{"from a\tby b", "from c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Values = %q, want %q", got, want)
	}
	if got := h.Values("Missing"); got != nil {
		t.Errorf("Values(Missing) = %q, want nil", got)
	}
	for name, want := range map[string]bool{"empty": true, "x-folded": true, "From": true, "Missing": false, "Fro": false} {
		if got := h.Has(name); got != want {
			t.Errorf("Has(%q) = %v", name, got)
		}
	}
}

func TestWithout(t *testing.T) {
	h := testHeader(t)
	before := string(h.Bytes())
	w := h.Without("received", "X-LF", "Not-There")
	if got, want := names(w), []string{"From", "Subject", "X-Folded", "Empty"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Without names %q, want %q", got, want)
	}
	if string(h.Bytes()) != before {
		t.Error("Without changed its receiver")
	}
	if got := names(h.Without()); !reflect.DeepEqual(got, names(h)) {
		t.Errorf("Without() = %q", got)
	}
	// Kept fields keep their raw bytes.
	if got := w.Bytes(); !bytes.Contains(got, []byte("X-Folded: one\r\n two\r\n\tthree\r\n")) {
		t.Errorf("folded field changed: %q", got)
	}
}

func TestReplace(t *testing.T) {
	h := testHeader(t)
	before := string(h.Bytes())

	r := h.Replace("RECEIVED", "from z")
	if got, want := names(r), []string{"Received", "From", "Subject", "X-Folded", "X-LF", "Empty"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Replace names %q, want %q", got, want)
	}
	if got := r.Values("Received"); !reflect.DeepEqual(got, []string{"from z"}) {
		t.Errorf("Received after Replace = %q", got)
	}
	// The first field keeps its place and its spelling of the name.
	if got := string(r[0].Raw); got != "Received: from z\r\n" {
		t.Errorf("replaced raw %q", got)
	}

	a := h.Replace("Reply-To", "<team@lists.example.org>")
	if last := a[len(a)-1]; last.Name != "Reply-To" || string(last.Raw) != "Reply-To: <team@lists.example.org>\r\n" {
		t.Errorf("added field %q %q", last.Name, last.Raw)
	}
	if len(a) != len(h)+1 {
		t.Errorf("Replace of a missing field: %d fields, want %d", len(a), len(h)+1)
	}
	if string(h.Bytes()) != before {
		t.Error("Replace changed its receiver")
	}
}

func TestNewAndBytes(t *testing.T) {
	f := New("X-Loop", "team@lists.example.org")
	if f.Name != "X-Loop" || string(f.Raw) != "X-Loop: team@lists.example.org\r\n" || f.Value() != "team@lists.example.org" {
		t.Errorf("New = %q %q", f.Name, f.Raw)
	}
	h := Header{f, {Name: "X", Raw: []byte("X: no line end")}, New("Y", "y")}
	if got, want := string(h.Bytes()), "X-Loop: team@lists.example.org\r\nX: no line end\r\nY: y\r\n"; got != want {
		t.Errorf("Bytes = %q, want %q", got, want)
	}
	if got := Header(nil).Bytes(); len(got) != 0 {
		t.Errorf("empty Bytes = %q", got)
	}
}

func TestValueOfOddFields(t *testing.T) {
	for raw, want := range map[string]string{
		"A: b\r\n":           "b",
		"A:b":                "b",
		"A:\r\n\r\n":         "",
		"A: x: y\r\n":        "x: y",
		"A: =?utf-8?q?x?=\n": "=?utf-8?q?x?=",
	} {
		if got := (Field{Name: "A", Raw: []byte(raw)}).Value(); got != want {
			t.Errorf("Value(%q) = %q, want %q", raw, got, want)
		}
	}
}
