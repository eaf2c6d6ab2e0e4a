package dkimsign

import (
	"bytes"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/demnet-uk/listserv/internal/dkimtest"
)

// verify returns each signature's error (nil: passes).
func verify(raw []byte, recs dkimtest.Records) ([]error, error) {
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: recs.LookupTXT})
	if err != nil {
		return nil, err
	}
	out := make([]error, len(vs))
	for i, v := range vs {
		out[i] = v.Err
	}
	return out, nil
}
