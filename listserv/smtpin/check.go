package smtpin

import "errors"

// Check applies SMTP intake's message checks (a NUL byte, a header line
// ending in a bare LF, two From fields, bare CR or a bare LF next to a
// dot line) to mail that came another way, such as IMAP ingestion, and
// returns the bytes with bare LFs made CRLF, or an error saying what is
// wrong in the words SMTP would answer with.
func Check(b []byte) ([]byte, error) {
	if e := checkMessage(b); e != nil {
		return nil, errors.New(e.Message)
	}
	raw, err := normalize(b)
	if err != nil {
		return nil, errors.New(errBareCR.Message)
	}
	return raw, nil
}
