package smtpin

import (
	"bytes"

	"github.com/emersion/go-smtp"
)

// Messages that parsers read differently are refused rather than
// distributed: a list re-sends the post to every member, and each
// member's software (and DKIM, and our own header rewriting) must see the
// same message we checked.
var (
	errNUL = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: "Message contains a NUL byte, which mail may not carry (RFC 5322 section 2.3)"}
	errHeaderBareLF = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: "Message header has a line ending in a bare LF; header lines must end in CRLF (RFC 5322 section 2.2)"}
	errMultipleFrom = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: "Message has more than one From field (RFC 5322 section 3.6 allows one)"}
)

// checkMessage looks at the message as received (before line ends are
// normalised): a NUL byte anywhere, a bare LF in the header section (up to
// the first empty line, or the whole message if there is none), or a
// second From field are refused.
func checkMessage(b []byte) *smtp.SMTPError {
	if bytes.IndexByte(b, 0) >= 0 {
		return errNUL
	}
	froms := 0
	for rest := b; len(rest) > 0; {
		line := rest
		nl := bytes.IndexByte(rest, '\n')
		if nl >= 0 {
			line, rest = rest[:nl], rest[nl+1:]
		} else {
			rest = nil
		}
		crlf := len(line) > 0 && line[len(line)-1] == '\r'
		if crlf {
			line = line[:len(line)-1]
		}
		if len(line) == 0 && nl >= 0 {
			return nil // the empty line: the body starts
		}
		if nl >= 0 && !crlf {
			return errHeaderBareLF
		}
		if isField(line, "From") {
			if froms++; froms > 1 {
				return errMultipleFrom
			}
		}
	}
	return nil
}

// isField reports whether line starts a field called name (any case;
// RFC 5322 section 4.5 allows blanks before the colon).
func isField(line []byte, name string) bool {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || line[0] == ' ' || line[0] == '\t' {
		return false
	}
	return bytes.EqualFold(bytes.TrimRight(line[:colon], " \t"), []byte(name))
}
