package subscribe

import (
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-message"
)

// plainText returns the first text/plain part of a message, decoded, or
// "" when it has none. Commands are read from it.
func plainText(raw []byte) string {
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return ""
	}
	var out string
	ent.Walk(func(_ []int, part *message.Entity, err error) error {
		if out != "" || err != nil {
			return nil
		}
		ct, _, _ := part.Header.ContentType()
		if ct == "text/plain" || ct == "" {
			b, _ := io.ReadAll(io.LimitReader(part.Body, 64<<10))
			out = string(b)
			if out == "" {
				out = " " // an empty first part still counts as the text
			}
		}
		return nil
	})
	return strings.TrimSpace(out)
}
