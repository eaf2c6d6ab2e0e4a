package mailhdr

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// Entity is a message's MIME tree for reading its parts. textproto
// refuses a whole header for one odd field name, so go-message is given
// only the fields MIME needs; an unknown charset or transfer encoding is
// not an error (the part is read as it is).
func Entity(h Header, body []byte) (*message.Entity, error) {
	var mime Header
	for _, f := range h {
		if n := strings.ToLower(f.Name); strings.HasPrefix(n, "content-") || n == "mime-version" {
			mime = append(mime, f)
		}
	}
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(mime.Bytes(), '\r', '\n'))))
	if err != nil {
		th = textproto.Header{}
	}
	e, err := message.New(message.Header{Header: th}, bytes.NewReader(body))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, err
	}
	return e, nil
}
