package admin

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// Limits on a member import, so a wrong or hostile file fails fast with a
// short message instead of filling memory and the terminal.
const (
	MaxImportBytes = 128 << 20 // about two million typical rows
	MaxImportRows  = 1_000_000
	maxRowBytes    = 8 << 10 // room for exports with many extra columns
	maxAddress     = 254     // RFC 5321 4.5.3.1.3
	maxName        = 300
	clipAt         = 80 // longest value quoted in an error message
)

// boundedReader stops a CSV stream whose rows or whole are too long,
// before encoding/csv buffers them. It follows quoting by parity (a
// doubled "" toggles twice), so a newline inside a quoted field does not
// end the row.
type boundedReader struct {
	r       io.Reader
	line    int // 1-based line of the next byte
	start   int // line the current row starts on
	row     int // bytes in the current row
	total   int64
	inQuote bool
}

func newBoundedReader(r io.Reader) *boundedReader { return &boundedReader{r: r, line: 1, start: 1} }

func (b *boundedReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	for i, c := range p[:n] {
		b.total++
		if b.total > MaxImportBytes {
			return i, invalid("the file is larger than %d MB; split it", MaxImportBytes>>20)
		}
		switch c {
		case '"':
			b.inQuote = !b.inQuote
		case '\n':
			b.line++
			if !b.inQuote {
				b.row, b.start = 0, b.line
				continue
			}
		}
		b.row++
		if b.row > maxRowBytes {
			return i, invalid("line %d: a row is longer than %d bytes (a row holds an address, a name and a mode)", b.start, maxRowBytes)
		}
	}
	return n, err
}

// clip shortens s for an error message, at a character boundary.
func clip(s string) string {
	if len(s) <= clipAt {
		return s
	}
	cut := clipAt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// checkSizes refuses over-long fields, quoting them cut short.
func checkSizes(address, name string) error {
	if len(address) > maxAddress {
		return fmt.Errorf("address longer than %d bytes: %q", maxAddress, clip(address))
	}
	if len(name) > maxName {
		return fmt.Errorf("name longer than %d bytes: %q", maxName, clip(name))
	}
	return nil
}
