package smtpin

import (
	"bytes"
	"errors"
)

var errSmuggle = errors.New("bare CR or dot line with bare LF")

// normalize refuses what SMTP smuggling needs (a bare CR anywhere, a bare
// LF next to a dot line) and turns the remaining bare LFs into CRLF, so what
// we store, sign and relay has one line ending. This is mox's policy.
func normalize(b []byte) ([]byte, error) {
	bareLF := false
	for i, c := range b {
		switch c {
		case '\r':
			if i+1 >= len(b) || b[i+1] != '\n' {
				return nil, errSmuggle
			}
		case '\n':
			if i == 0 || b[i-1] != '\r' {
				bareLF = true
				if dotLineNear(b, i) {
					return nil, errSmuggle
				}
			}
		}
	}
	if !bareLF {
		return b, nil
	}
	out := bytes.NewBuffer(make([]byte, 0, len(b)+len(b)/32))
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out.WriteByte('\r')
		}
		out.WriteByte(c)
	}
	return out.Bytes(), nil
}

// dotLineNear reports whether the bare LF at i ends or starts a "." line.
func dotLineNear(b []byte, i int) bool {
	if i+2 < len(b) && b[i+1] == '.' && (b[i+2] == '\n' || b[i+2] == '\r') {
		return true
	}
	return i >= 1 && b[i-1] == '.' && (i == 1 || b[i-2] == '\n')
}
