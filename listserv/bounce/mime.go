package bounce

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset" // reports in iso-2022-jp, windows-125x, ...
	"github.com/emersion/go-message/textproto"
)

// msg is a bounce taken apart: its own header, the human-readable
// report, the machine-readable parts and the returned message's header.
type msg struct {
	hdr      textproto.Header
	from     string // the bounce's From
	subject  string
	ctype    string   // top-level media type
	status   [][]byte // message/delivery-status bodies
	feedback [][]byte // message/feedback-report bodies
	text     string   // the human-readable report, decoded
	orig     *textproto.Header
	origRaw  []byte // the enclosed message/rfc822, whole (see detectEnclosed)
	nested   bool   // this message was itself enclosed: no further descent
	origText string // a returned message cut from a plain-text report
	origTo   []string
	origFrom []string // original sender addresses: bystanders
}

// maxParts and maxDepth bound the work on hostile MIME trees.
const (
	maxParts = 64
	maxDepth = 8
	maxPart  = 256 << 10
)

func readMessage(raw []byte) *msg {
	raw = normalise(raw)
	m := &msg{}
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		// Not even a header: the whole thing is text.
		_ = err
		m.text = string(raw)
		return m
	}
	m.hdr = e.Header.Header
	m.from = decodeHeader(e.Header.Get("From"))
	m.subject = decodeHeader(e.Header.Get("Subject"))
	m.ctype, _, _ = e.Header.ContentType()
	n := 0
	m.walk(e, 0, &n, false)
	if strings.TrimSpace(m.text) == "" && len(m.status) == 0 && len(m.feedback) == 0 {
		// Broken MIME: read the body as text.
		if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
			m.text = string(raw[i+2:])
		} else if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
			m.text = string(raw[i+4:])
		}
	}
	if m.orig == nil {
		m.cutOriginal()
	}
	if m.orig != nil {
		m.origTo = addressesIn(m.orig.Get("To"))
		for _, f := range []string{"From", "Sender", "Return-Path", "Reply-To"} {
			m.origFrom = append(m.origFrom, addressesIn(m.orig.Get(f))...)
		}
	}
	return m
}

// normalise makes every line end LF, drops blank lines before the header
// and an mbox "From " line.
func normalise(raw []byte) []byte {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // a byte order mark
	// CR-only line ends, also when a stray LF hides among them; a lone
	// CR is no line content in mail (RFC 5322 section 2.3).
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	raw = bytes.ReplaceAll(raw, []byte("\r"), []byte("\n"))
	// Blank lines before the header (a paste or a broken relay) would
	// leave an empty header and the whole message as body.
	for {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 || len(bytes.TrimSpace(raw[:i])) > 0 {
			break
		}
		raw = raw[i+1:]
	}
	// A parameter on a line of its own without the folding white space
	// (seen in Exchange and carrier bounces) ends go-message's reading.
	raw = unfoldedParam.ReplaceAll(raw, []byte("$1\t$2"))
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		}
	}
	return raw
}

var unfoldedParam = regexp.MustCompile(`(?im)(;[ \t]*\r?\n)((?:boundary|charset|report-type|name|filename|format|differences)=)`)

// walk collects the parts of e; after marks parts that follow the
// returned message (their text is not the report).
func (m *msg) walk(e *message.Entity, depth int, n *int, inOrig bool) {
	*n++
	if *n > maxParts || depth > maxDepth {
		return
	}
	t, _, _ := e.Header.ContentType()
	if i := strings.IndexAny(t, " \t;"); i > 0 {
		// A parameter folded without its ';' ("text/plain
		// charset=x"): the media type is the first word.
		t = strings.ToLower(t[:i])
	}
	if t == "" {
		t = "text/plain"
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if p == nil {
				break // the end, or a part beyond repair
			}
			_ = err // an unknown charset or encoding: read it as it is
			m.walk(p, depth+1, n, inOrig)
			if *n > maxParts {
				break
			}
		}
		return
	}
	body, _ := io.ReadAll(io.LimitReader(e.Body, maxPart))
	switch t {
	case "message/delivery-status", "message/global-delivery-status":
		m.status = append(m.status, body)
	case "message/feedback-report":
		m.feedback = append(m.feedback, body)
	case "message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers":
		if m.orig == nil {
			m.setOrig(body)
			if t == "message/rfc822" || t == "message/global" {
				m.origRaw = body
			}
		}
	case "text/plain", "text/html":
		if m.orig != nil {
			return // text of the returned message, not of the report
		}
		s := string(body)
		if t == "text/html" {
			if m.text != "" {
				return
			}
			s = stripTags(s)
		}
		m.text += s + "\n"
	}
}

// setOrig keeps the returned message's header.
func (m *msg) setOrig(b []byte) {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(b)))
	if err != nil && h.Len() == 0 {
		return
	}
	m.orig = &h
}

// originalMarker starts the returned message inside a plain-text bounce.
var originalMarker = regexp.MustCompile(`(?im)^[ \t]*(-+ ?(this is a copy of|below this line is a copy|original message|returned message|the header of the original message|message header follows|unsent message below|original message header|headers of your message|start of returned message|copy of the message)[^\n]*|-+ ?original message ?-+|.*original message (follows|header)[^\n]*|[ \t]*-+ *(undelivered message|undeliverable message)[^\n]*)$`)

// cutOriginal splits a plain-text bounce at the returned message.
func (m *msg) cutOriginal() {
	loc := originalMarker.FindStringIndex(m.text)
	if loc == nil {
		return
	}
	rest := strings.TrimLeft(m.text[loc[1]:], "\r\n \t")
	m.text = m.text[:loc[0]]
	m.origText = rest
	m.setOrig([]byte(rest))
}

var tagRE = regexp.MustCompile(`(?s)<(style|script)[^>]*>.*?</(style|script)>|<br\s*/?>|</?(p|div|tr|td|li|table)[^>]*>|<[^>]*>`)

// stripTags makes crude text of HTML: enough to find addresses and codes.
func stripTags(s string) string {
	s = tagRE.ReplaceAllStringFunc(s, func(t string) string {
		lt := strings.ToLower(t)
		if strings.HasPrefix(lt, "<br") || strings.HasPrefix(lt, "<p") || strings.HasPrefix(lt, "</p") ||
			strings.HasPrefix(lt, "<div") || strings.HasPrefix(lt, "</div") || strings.HasPrefix(lt, "<tr") || strings.HasPrefix(lt, "<li") {
			return "\n"
		}
		return " "
	})
	r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&nbsp;", " ", "&#43;", "+", "&#64;", "@")
	return r.Replace(s)
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// decodeHeader decodes RFC 2047 words; undecodable text stays as it is.
func decodeHeader(s string) string {
	if v, err := wordDecoder.DecodeHeader(s); err == nil {
		return v
	}
	return s
}
