package mailhdr

import (
	"bufio"
	"bytes"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode legacy charsets in encoded words
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Parsed is what the pipeline decides on and the store indexes.
type Parsed struct {
	Header     Header
	Body       []byte
	From       string // address of the first From mailbox, lower case
	FromName   string
	Subject    string // decoded
	MessageID  string // without angle brackets
	InReplyTo  string
	References []string
	Date       time.Time
}

// Parse reads the header once; the body is not decoded. Broken fields are
// left empty rather than refusing the post: real mail is often malformed.
func Parse(raw []byte) (*Parsed, error) {
	h, body, err := Split(raw)
	if err != nil {
		return nil, err
	}
	p := &Parsed{Header: h, Body: body}
	// textproto refuses the whole header for one field name it does not
	// accept (8-bit, inner space), so give it only the fields it reads.
	readable := make(Header, 0, len(h))
	for _, f := range h {
		if tokenName(f.Raw) {
			readable = append(readable, f)
		}
	}
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(readable.Bytes(), '\r', '\n'))))
	if err != nil {
		return p, nil
	}
	mh := mail.Header{Header: message.Header{Header: th}}
	if s, err := mh.Subject(); err == nil {
		p.Subject = s
	} else {
		p.Subject = h.Get("Subject")
	}
	if as, err := mh.AddressList("From"); err == nil && len(as) > 0 {
		p.From, p.FromName = strings.ToLower(as[0].Address), as[0].Name
	}
	p.MessageID, _ = mh.MessageID()
	if ids, err := mh.MsgIDList("In-Reply-To"); err == nil && len(ids) > 0 {
		p.InReplyTo = ids[0]
	}
	p.References, _ = mh.MsgIDList("References")
	p.Date, _ = mh.Date()
	return p, nil
}

// tokenName reports whether the field name in raw (trimmed of blanks, as
// textproto does) is printable ASCII, which is what textproto accepts.
func tokenName(raw []byte) bool {
	colon := bytes.IndexByte(raw, ':')
	if colon < 0 {
		return false
	}
	name := bytes.Trim(raw[:colon], " \t")
	for _, c := range name {
		if c < 33 || c > 126 {
			return false
		}
	}
	return len(name) > 0
}
