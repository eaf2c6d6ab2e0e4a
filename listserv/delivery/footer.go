package delivery

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// A list's footer is the one deliberate change to a post's body (TRAPS:
// it breaks the author's DKIM body hash, which owners are told on the
// settings page). It is added the least invasive way the post allows:
//
//   - a text/plain post in us-ascii or utf-8, not base64 or
//     quoted-printable: the footer is appended after a "-- " line;
//   - a multipart/mixed post: the footer becomes one more text/plain part
//     before the closing boundary;
//   - anything else (HTML, multipart/alternative, encoded text, another
//     charset): the post becomes the first part of a new multipart/mixed
//     and the footer its second, so no part is re-encoded.

// contentFields move into the original part when a post is wrapped.
var contentFields = []string{"Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
	"Content-Description", "Content-ID", "Content-Language", "Content-Location", "Content-MD5"}

// addFooter returns the header and body (without the blank line) with the
// footer added; an empty footer changes nothing.
func addFooter(h mailhdr.Header, body []byte, footer string) (mailhdr.Header, []byte) {
	footer = strings.TrimSpace(footer)
	if footer == "" {
		return h, body
	}
	text := strings.ReplaceAll(strings.ReplaceAll(footer, "\r\n", "\n"), "\n", "\r\n")
	ascii := ascii7(text)
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" {
		mt, params, err = "text/plain", map[string]string{}, nil
	}
	cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	if err == nil && mt == "text/plain" && (cte == "" || cte == "7bit" || cte == "8bit") {
		cs := strings.ToLower(params["charset"])
		if (cs == "" || cs == "us-ascii") && ascii || cs == "utf-8" && (ascii || cte == "8bit") {
			return h, appendPlain(body, text)
		}
	}
	if err == nil && mt == "multipart/mixed" && params["boundary"] != "" {
		if b, ok := insertPart(body, params["boundary"], text, ascii); ok {
			return h, b
		}
	}
	return wrapFooter(h, body, text, ascii)
}

func ascii7(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendPlain adds a signature separator (RFC 3676 4.3) and the footer.
func appendPlain(body []byte, text string) []byte {
	out := make([]byte, 0, len(body)+len(text)+10)
	out = append(out, body...)
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
		out = append(out, '\r', '\n')
	}
	out = append(out, "-- \r\n"...)
	out = append(out, text...)
	return append(out, '\r', '\n')
}

// footerPart is a MIME part holding the footer.
func footerPart(text string, ascii bool) []byte {
	var b bytes.Buffer
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline\r\n")
	if ascii {
		b.WriteString("Content-Transfer-Encoding: 7bit\r\n\r\n" + text + "\r\n")
		return b.Bytes()
	}
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(text))
	w.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}

// insertPart puts the footer part before the closing delimiter of a
// multipart/mixed body; false when there is none.
func insertPart(body []byte, boundary, text string, ascii bool) ([]byte, bool) {
	closing := []byte("\r\n--" + boundary + "--")
	i := bytes.LastIndex(body, closing)
	if i < 0 {
		return nil, false
	}
	var b bytes.Buffer
	b.Write(body[:i])
	b.WriteString("\r\n--" + boundary + "\r\n")
	b.Write(footerPart(text, ascii))
	b.Write(body[i+2:]) // the closing delimiter onwards, without its CRLF
	return b.Bytes(), true
}

// wrapFooter makes the post the first part of a multipart/mixed.
func wrapFooter(h mailhdr.Header, body []byte, text string, ascii bool) (mailhdr.Header, []byte) {
	sum := sha256.Sum256(body)
	boundary := "=_listserv_footer_" + hex.EncodeToString(sum[:9])
	var part bytes.Buffer
	kept := h.Without(contentFields...)
	for _, f := range h {
		for _, n := range contentFields {
			if strings.EqualFold(f.Name, n) {
				part.Write(f.Raw)
				if !bytes.HasSuffix(f.Raw, []byte("\n")) {
					part.WriteString("\r\n")
				}
			}
		}
	}
	var b bytes.Buffer
	b.WriteString("This is a multi-part message in MIME format.\r\n--" + boundary + "\r\n")
	b.Write(part.Bytes())
	b.WriteString("\r\n")
	b.Write(body)
	if len(body) > 0 && !bytes.HasSuffix(body, []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	// The CRLF before a delimiter belongs to it (RFC 2046 5.1.1): one more
	// keeps the post's own last line end.
	b.WriteString("\r\n--" + boundary + "\r\n")
	b.Write(footerPart(text, ascii))
	b.WriteString("--" + boundary + "--\r\n")
	kept = kept.Replace("MIME-Version", "1.0")
	kept = kept.Replace("Content-Type", "multipart/mixed; boundary=\""+boundary+"\"")
	return kept, b.Bytes()
}
