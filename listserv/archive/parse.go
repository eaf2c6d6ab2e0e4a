package archive

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// Part is one leaf of a message's MIME tree, numbered from 1 in walk order.
type Part struct {
	Index      int
	Type       string // lower case, e.g. application/pdf
	Name       string // file name, when given (decoded)
	ContentID  string // without angle brackets
	Size       int64  // decoded bytes
	Attachment bool
}

// Body is what Walk found: the parts and the first plain-text and HTML
// bodies that are not attachments (decoded to UTF-8, truncated).
type Body struct {
	Parts []Part
	Text  string
	HTML  string
	// Err is set when the MIME structure could not be read to the end;
	// what was read before is kept.
	Err error
}

// Limits on one walk: deeper or wider messages are shown as far as read.
const (
	maxDepth  = 20
	maxParts  = 500
	textLimit = 1 << 20
)

var errTooComplex = errors.New("MIME structure too deep or has too many parts")

// entity opens raw's MIME structure. Only Content-* fields go to
// textproto, which refuses a whole header for one odd field name.
func entity(raw []byte) (*message.Entity, error) {
	h, body, err := mailhdr.Split(raw)
	if err != nil {
		return nil, err
	}
	return mailhdr.Entity(h, body)
}

// ReadBody walks raw's MIME tree.
func ReadBody(raw []byte) *Body {
	b := &Body{}
	e, err := entity(raw)
	if err != nil {
		b.Err = err
		return b
	}
	b.Err = walk(e, 0, &b.Parts, func(p *Part, r io.Reader) error {
		var keep *string
		switch {
		case p.Attachment:
		case p.Type == "text/plain" && b.Text == "":
			keep = &b.Text
		case p.Type == "text/html" && b.HTML == "":
			keep = &b.HTML
		}
		var buf bytes.Buffer
		var err error
		if keep != nil {
			p.Size, err = io.Copy(&buf, io.LimitReader(r, textLimit))
			*keep = strings.ToValidUTF8(buf.String(), "\uFFFD")
		}
		n, err2 := io.Copy(io.Discard, r)
		p.Size += n
		return errors.Join(err, err2)
	})
	return b
}

// OpenPart returns part index (as numbered by ReadBody) decoded, with its
// description; ok false when there is no such part.
func OpenPart(raw []byte, index int) (Part, []byte, bool) {
	e, err := entity(raw)
	if err != nil {
		return Part{}, nil, false
	}
	var found Part
	var data []byte
	var parts []Part
	errFound := errors.New("found")
	err = walk(e, 0, &parts, func(p *Part, r io.Reader) error {
		if p.Index != index {
			return nil
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		found, data = *p, b
		found.Size = int64(len(b))
		return errFound
	})
	return found, data, errors.Is(err, errFound)
}

// walk calls leaf for every leaf part in order; leaf reads the body it
// wants and the walk skips the rest.
func walk(e *message.Entity, depth int, parts *[]Part, leaf func(*Part, io.Reader) error) error {
	if depth > maxDepth || len(*parts) >= maxParts {
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
			if err := walk(p, depth+1, parts, leaf); err != nil {
				return err
			}
		}
	}
	p := describe(e, len(*parts)+1)
	err := leaf(&p, e.Body)
	if err == nil {
		_, err = io.Copy(io.Discard, e.Body)
	}
	*parts = append(*parts, p)
	return err
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// describe reads a leaf's type, name and disposition.
func describe(e *message.Entity, index int) Part {
	t, params, _ := e.Header.ContentType()
	if t == "" {
		t = "text/plain" // RFC 2045 section 5.2
	}
	disp, dparams, _ := e.Header.ContentDisposition()
	p := Part{Index: index, Type: strings.ToLower(t), Name: dparams["filename"]}
	if p.Name == "" {
		p.Name = params["name"]
	}
	if d, err := wordDecoder.DecodeHeader(p.Name); err == nil {
		p.Name = d
	}
	p.Name = strings.ToValidUTF8(p.Name, "\uFFFD")
	p.ContentID = strings.Trim(e.Header.Get("Content-Id"), " <>")
	p.Attachment = disp == "attachment" || (p.Name != "" && !strings.HasPrefix(p.Type, "text/"))
	return p
}
