package dkimsign

import (
	"bytes"
	"crypto/sha256"
	"strings"
)

// relaxedHeader is one field in relaxed canonical form (RFC 6376 section
// 3.4.2): name lower-cased, value unfolded, runs of blanks one space, no
// blanks around the colon or at the end; CRLF ended.
func relaxedHeader(raw []byte) []byte {
	colon := bytes.IndexByte(raw, ':')
	if colon < 0 {
		return nil
	}
	out := make([]byte, 0, len(raw))
	out = append(out, strings.ToLower(strings.TrimRight(string(raw[:colon]), " \t"))...)
	out = append(out, ':')
	return append(relaxValue(out, raw[colon+1:]), '\r', '\n')
}

// relaxValue appends v unfolded with blanks squeezed and trimmed.
func relaxValue(out, v []byte) []byte {
	space := false
	start := len(out)
	for _, c := range v {
		switch c {
		case '\r', '\n':
			continue
		case ' ', '\t':
			space = true
			continue
		}
		if space && len(out) > start {
			out = append(out, ' ')
		}
		space = false
		out = append(out, c)
	}
	return out
}

// bodyHash is the SHA-256 of the relaxed canonical body (RFC 6376 section
// 3.4.4): blanks squeezed, blanks at line ends and empty lines at the end
// dropped, CRLF line ends. A bare LF counts as a line end, as a relay
// would make it one.
func bodyHash(body []byte) []byte {
	h := sha256.New()
	var line []byte
	blank := 0 // empty lines held back until a non-empty line follows
	for len(body) > 0 {
		end := bytes.IndexByte(body, '\n')
		var l []byte
		if end < 0 {
			l, body = body, nil
		} else {
			l, body = body[:end], body[end+1:]
		}
		l = bytes.TrimSuffix(l, []byte("\r"))
		line = relaxBodyLine(line[:0], l)
		if len(line) == 0 {
			blank++
			continue
		}
		for ; blank > 0; blank-- {
			h.Write([]byte("\r\n"))
		}
		h.Write(line)
		h.Write([]byte("\r\n"))
	}
	return h.Sum(nil)
}

// relaxBodyLine squeezes blank runs to one space and drops trailing ones.
func relaxBodyLine(out, l []byte) []byte {
	space := false
	for _, c := range l {
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			out = append(out, ' ')
		}
		space = false
		out = append(out, c)
	}
	return out
}
