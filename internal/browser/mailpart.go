package browser

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-message"
)

// HTMLPart returns the decoded first text/html part of a mail, the part
// an accessibility audit of a mail loads into the browser.
func HTMLPart(raw []byte) ([]byte, error) {
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read mail: %w", err)
	}
	var out []byte
	err = ent.Walk(func(_ []int, p *message.Entity, err error) error {
		if err != nil {
			return err
		}
		if ct, _, _ := p.Header.ContentType(); ct == "text/html" && out == nil {
			out, err = io.ReadAll(p.Body)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("walk mail: %w", err)
	}
	if out == nil {
		return nil, errors.New("no text/html part")
	}
	return out, nil
}
