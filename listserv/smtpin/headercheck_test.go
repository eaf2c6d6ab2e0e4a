package smtpin

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

func TestCheckMessage(t *testing.T) {
	tests := []struct {
		name, in string
		want     *smtp.SMTPError
	}{
		{"clean", "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n", nil},
		{"bare LF in the body is the normaliser's", "From: a@example.org\r\n\r\nbody\nmore\n", nil},
		{"From in the body", "From: a@example.org\r\n\r\nFrom: b@example.org\r\n", nil},
		{"folded line mentioning From", "From: a@example.org\r\nSubject: x\r\n From: b\r\n\r\n", nil},
		{"Resent-From and Sender are other fields", "From: a@example.org\r\nResent-From: b@x\r\nSender: c@x\r\n\r\n", nil},
		{"no body", "From: a@example.org\r\nSubject: x\r\n", nil},
		{"two From", "From: a@example.org\r\nFrom: b@example.org\r\n\r\n", errMultipleFrom},
		{"two From in other case with a blank before the colon", "FROM: a@x\r\nsubject: y\r\nfrom : b@x\r\n\r\n", errMultipleFrom},
		{"NUL in the body", "From: a@x\r\n\r\nb\x00dy\r\n", errNUL},
		{"NUL in the header", "From: a@x\x00\r\n\r\nbody\r\n", errNUL},
		{"bare LF in a field", "From: a@x\r\nSubject: x\nBcc: b@x\r\n\r\n", errHeaderBareLF},
		{"bare LF message", "From: a@x\nSubject: x\n\nbody\n", errHeaderBareLF},
		{"bare LF ends the header", "From: a@x\r\n\nbody\r\n", nil},
		{"bare LF folding", "From: a@x\r\nSubject: x\n y\r\n\r\n", errHeaderBareLF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkMessage([]byte(tt.in)); got != tt.want {
				t.Errorf("checkMessage(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzCheckMessage checks what checkMessage lets through against
// mailhdr's own reading of the header: no NUL, at most one From field,
// and every line end in the header a CRLF.
func FuzzCheckMessage(f *testing.F) {
	for _, s := range []string{
		"From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n",
		"From: a@x\r\nfrom : b@x\r\n\r\n",
		"From: a@x\r\nSubject: x\nBcc: b@x\r\n\r\n",
		"From: a@x\r\n\r\nb\x00dy\r\n",
		"\r\n\r\n",
		"From:\r\n From: b\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if checkMessage(in) != nil {
			return
		}
		if bytes.IndexByte(in, 0) >= 0 {
			t.Fatalf("NUL let through: %q", in)
		}
		h, _, err := mailhdr.Split(in)
		if err != nil {
			return
		}
		froms := 0
		for _, fl := range h {
			if strings.EqualFold(fl.Name, "From") {
				froms++
			}
			for i, c := range fl.Raw {
				if c == '\n' && (i == 0 || fl.Raw[i-1] != '\r') {
					t.Fatalf("bare LF in header field %q let through: %q", fl.Raw, in)
				}
			}
		}
		if froms > 1 {
			t.Fatalf("%d From fields let through: %q", froms, in)
		}
	})
}
