// Package mailhdr splits an RFC 5322 message into header fields and body
// without changing a byte, so the list can add and replace fields while the
// body (and any author DKIM body hash) stays exactly as received.
package mailhdr

import (
	"bytes"
	"errors"
	"strings"
)

// ErrNoHeader is returned for input without a header/body separator or
// with a first line that is not a field.
var ErrNoHeader = errors.New("message has no header")

// Field is one header field with its raw bytes, folding and CRLF included.
type Field struct {
	Name string // as written
	Raw  []byte
}

// Value is the field's unfolded value, trimmed.
func (f Field) Value() string {
	_, v, _ := bytes.Cut(f.Raw, []byte{':'})
	v = bytes.ReplaceAll(v, []byte("\r\n"), nil)
	v = bytes.ReplaceAll(v, []byte("\n"), nil)
	return strings.TrimSpace(string(v))
}

// Header is the ordered list of fields.
type Header []Field

// Split separates header fields from the body. The body starts after the
// blank line; a message with no blank line is all header.
func Split(raw []byte) (Header, []byte, error) {
	var h Header
	rest := raw
	for len(rest) > 0 {
		if rest[0] == '\n' || (rest[0] == '\r' && len(rest) > 1 && rest[1] == '\n') {
			if len(h) == 0 {
				return nil, nil, ErrNoHeader // a blank first line is not a field
			}
			return h, rest[bytes.IndexByte(rest, '\n')+1:], nil
		}
		end := fieldEnd(rest)
		line := rest[:end]
		colon := bytes.IndexByte(line, ':')
		// A name never spans lines (a colon only in a continuation line is
		// a line without a colon); the first line may not have blanks in
		// its name either (an mbox "From " line is not a field).
		if colon <= 0 || bytes.ContainsAny(line[:colon], "\r\n") ||
			len(h) == 0 && bytes.ContainsAny(line[:colon], " \t") {
			return nil, nil, ErrNoHeader
		}
		name := strings.TrimSpace(string(line[:colon]))
		if name == "" {
			return nil, nil, ErrNoHeader
		}
		h = append(h, Field{Name: name, Raw: line})
		rest = rest[end:]
	}
	if len(h) == 0 {
		return nil, nil, ErrNoHeader
	}
	return h, nil, nil
}

// fieldEnd finds the end of the field starting at b, following folded lines.
func fieldEnd(b []byte) int {
	i := 0
	for {
		nl := bytes.IndexByte(b[i:], '\n')
		if nl < 0 {
			return len(b)
		}
		i += nl + 1
		if i >= len(b) || (b[i] != ' ' && b[i] != '\t') {
			return i
		}
	}
}

// Get returns the unfolded value of the first field called name.
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value()
		}
	}
	return ""
}

// Has reports whether a field called name is present.
func (h Header) Has(name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// Values returns every value of the fields called name.
func (h Header) Values(name string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f.Value())
		}
	}
	return out
}

// Without returns the header without the fields named.
func (h Header) Without(names ...string) Header {
	out := make(Header, 0, len(h))
next:
	for _, f := range h {
		for _, n := range names {
			if strings.EqualFold(f.Name, n) {
				continue next
			}
		}
		out = append(out, f)
	}
	return out
}

// Replace sets the first field called name to value (adding it at the end
// when absent) and removes any others.
func (h Header) Replace(name, value string) Header {
	out := make(Header, 0, len(h)+1)
	done := false
	for _, f := range h {
		if !strings.EqualFold(f.Name, name) {
			out = append(out, f)
			continue
		}
		if !done {
			out = append(out, New(f.Name, value))
			done = true
		}
	}
	if !done {
		out = append(out, New(name, value))
	}
	return out
}

// New makes a field; value must already be encoded (RFC 2047) and free of
// CR and LF other than folding (CRLF then a space or tab).
func New(name, value string) Field {
	return Field{Name: name, Raw: []byte(name + ": " + value + "\r\n")}
}

// Bytes writes the fields, normalising a final bare LF to CRLF.
func (h Header) Bytes() []byte {
	var b bytes.Buffer
	for _, f := range h {
		b.Write(f.Raw)
		if n := len(f.Raw); n > 0 && f.Raw[n-1] != '\n' {
			b.WriteString("\r\n")
		}
	}
	return b.Bytes()
}
