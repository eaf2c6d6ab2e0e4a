package digest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
)

// boundary makes a boundary that none of the given bodies contains; it
// is derived from them, so a re-render gives the same bytes.
func boundary(tag string, bodies ...[]byte) string {
	h := sha256.New()
	for _, b := range bodies {
		h.Write(b)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	for i := 0; ; i++ {
		b := "=_" + tag + "_" + sum[:24] + strconv.Itoa(i)
		found := false
		for _, body := range bodies {
			if bytes.Contains(body, []byte(b)) {
				found = true
				break
			}
		}
		if !found {
			return b
		}
	}
}

// renderMIME is multipart/mixed: a text/plain table of contents, a
// multipart/digest whose message/rfc822 parts are the posts' stored
// bytes unchanged (RFC 2046 section 5.1.5), and the footer.
func renderMIME(is *Issue) (string, []byte, error) {
	raws := make([][]byte, 0, len(is.Posts)+1)
	for _, p := range is.Posts {
		raws = append(raws, p.Msg.Raw)
	}
	head := listName(is.List) + " " + is.Title() + "\n\n" + toc(is) +
		"\nEach message is attached below; open one to read, reply to or save it.\n"
	tocBody, footBody := qp(head), qp(footer(is))
	outer := boundary("mixed", append(raws, tocBody, footBody)...)
	inner := boundary("digest", append(raws, []byte(outer))...)
	var b bytes.Buffer
	b.WriteString("\r\nThis is a MIME digest.\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", outer)
	b.Write(tocBody)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: multipart/digest; boundary=\"%s\"\r\n\r\n", outer, inner)
	for _, raw := range raws {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: message/rfc822\r\n\r\n", inner)
		b.Write(raw)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", inner)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", outer)
	b.Write(footBody)
	fmt.Fprintf(&b, "--%s--\r\n", outer)
	return "Content-Type: multipart/mixed; boundary=\"" + outer + "\"\r\n", b.Bytes(), nil
}
