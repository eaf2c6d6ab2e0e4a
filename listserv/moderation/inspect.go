package moderation

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode legacy charsets in text parts

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// Part is one leaf of a message's MIME tree.
type Part struct {
	Type       string // lower case, e.g. application/pdf
	Name       string // file name, when given
	Size       int64  // decoded bytes
	Attachment bool
}

// Inspection is what moderation needs from a message's body: the types of
// its parts and the first plain-text and HTML bodies (decoded, truncated).
type Inspection struct {
	Parts []Part
	Text  string
	HTML  string
	// Err is set when the MIME structure could not be read to the end;
	// what was read before is kept.
	Err error

	textOnly bool
}

// Limits on what one inspection reads: a message nested or split beyond
// these is treated as unreadable rather than walked further.
const (
	maxDepth = 20
	maxParts = 500
)

var errTooComplex = errors.New("MIME structure too deep or too many parts")

// Inspect reads raw. textLimit bounds the bytes kept of each body.
func Inspect(raw []byte, textLimit int) *Inspection {
	h, body, err := mailhdr.Split(raw)
	if err != nil {
		return &Inspection{Err: err}
	}
	return InspectParts(h, body, textLimit)
}

// InspectParts is Inspect on an already split message (the pipeline's).
func InspectParts(h mailhdr.Header, body []byte, textLimit int) *Inspection {
	return inspect(h, body, textLimit, false)
}

// InspectText reads only up to the first plain-text part, which is all the
// administrivia check needs: attachments are not decoded.
func InspectText(h mailhdr.Header, body []byte, textLimit int) *Inspection {
	return inspect(h, body, textLimit, true)
}

// errEnough ends a text-only walk early.
var errEnough = errors.New("enough")

func inspect(h mailhdr.Header, body []byte, textLimit int, textOnly bool) *Inspection {
	in := &Inspection{textOnly: textOnly}
	e, err := mailhdr.Entity(h, body)
	if err != nil {
		in.Err = err
		return in
	}
	if in.Err = in.walk(e, 0, textLimit); in.Err == errEnough {
		in.Err = nil
	}
	return in
}

func (in *Inspection) walk(e *message.Entity, depth, textLimit int) error {
	if depth > maxDepth || len(in.Parts) >= maxParts {
		return errTooComplex
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				return err
			}
			if err := in.walk(p, depth+1, textLimit); err != nil {
				return err
			}
		}
	}
	t, params, _ := e.Header.ContentType()
	if t == "" {
		t = "text/plain" // RFC 2045 section 5.2
	}
	disp, dparams, _ := e.Header.ContentDisposition()
	p := Part{Type: strings.ToLower(t), Name: dparams["filename"]}
	if p.Name == "" {
		p.Name = params["name"]
	}
	p.Attachment = disp == "attachment" || (p.Name != "" && !strings.HasPrefix(p.Type, "text/"))
	var keep *string
	switch {
	case p.Attachment:
	case p.Type == "text/plain" && in.Text == "":
		keep = &in.Text
	case p.Type == "text/html" && in.HTML == "":
		keep = &in.HTML
	}
	var err error
	if keep != nil {
		var b bytes.Buffer
		p.Size, err = io.Copy(&b, io.LimitReader(e.Body, int64(textLimit)))
		*keep = strings.ToValidUTF8(b.String(), "\uFFFD")
		if err == nil {
			var n int64
			n, err = io.Copy(io.Discard, e.Body)
			p.Size += n
		}
	} else {
		p.Size, err = io.Copy(io.Discard, e.Body)
	}
	in.Parts = append(in.Parts, p)
	if err == nil && in.textOnly && in.Text != "" {
		return errEnough
	}
	return err
}
