package newsletter

import (
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode legacy charsets in text parts

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// Bounds of what a submission by mail is read for.
const (
	maxSubmissionText = 64 << 10
	maxSubmissionPart = 50
)

// mailParts are what a submission is made of: the first plain-text part
// and the first calendar (text/calendar, or a file named *.ics).
type mailParts struct {
	Text     string
	Calendar []byte
}

// readParts walks a message's MIME tree for its text and calendar.
func readParts(h mailhdr.Header, body []byte) (*mailParts, error) {
	e, err := mailhdr.Entity(h, body)
	if err != nil {
		return nil, err
	}
	out := &mailParts{}
	n := 0
	err = e.Walk(func(_ []int, p *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return err
		}
		if n++; n > maxSubmissionPart {
			return errors.New("too many parts")
		}
		t, params, _ := p.Header.ContentType()
		if strings.HasPrefix(t, "multipart/") {
			return nil
		}
		_, dparams, _ := p.Header.ContentDisposition()
		name := strings.ToLower(dparams["filename"] + params["name"])
		switch {
		case out.Calendar == nil && (t == "text/calendar" || strings.HasSuffix(name, ".ics")):
			b, err := io.ReadAll(io.LimitReader(p.Body, maxICS+1))
			if err != nil {
				return err
			}
			out.Calendar = b
		case out.Text == "" && (t == "" || t == "text/plain") && name == "":
			b, err := io.ReadAll(io.LimitReader(p.Body, maxSubmissionText))
			if err != nil {
				return err
			}
			out.Text = strings.ToValidUTF8(string(b), "\uFFFD")
		}
		return nil
	})
	return out, err
}
