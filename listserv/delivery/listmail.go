package delivery

import (
	"bytes"
	"strings"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// The helpers below are how every mail of a list is marked, exported for
// other senders of list mail (digests) so they match fan-out exactly.

// ListFields are the RFC 2369 and RFC 2919 fields, Precedence and X-Loop
// that every mail of list l carries.
func ListFields(l *store.List, baseURL string) mailhdr.Header {
	return listFields(l, strings.TrimRight(baseURL, "/"))
}

// AppendUnsubscribe writes one member's RFC 8058 one-click fields.
func AppendUnsubscribe(b *bytes.Buffer, l *store.List, baseURL, unsubToken string) {
	appendUnsubscribe(b, strings.TrimRight(baseURL, "/"), unsubToken,
		"mailto:"+l.SubAddress("leave")+"?subject=unsubscribe")
}

func appendUnsubscribe(b *bytes.Buffer, base, unsubToken, leave string) {
	b.WriteString("List-Unsubscribe: <")
	b.WriteString(base)
	b.WriteString("/u/")
	b.WriteString(unsubToken)
	b.WriteString(">, <")
	b.WriteString(leave)
	b.WriteString(">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
}

// VERPSender is a member's envelope sender for one message of the list:
// LIST-bounces+TOKEN@domain, the token naming member and message.
func VERPSender(l *store.List, tokens *token.Maker, memberID, messageID int64) string {
	return l.LocalPart() + "-bounces+" + tokens.VERP(memberID, messageID) + "@" + l.Domain()
}
