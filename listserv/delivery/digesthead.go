package delivery

import (
	"bytes"
	"strconv"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// DigestCopy is what one member's copy of a digest part is made from;
// the digest engine (previews) and the digest job sender both use it, so
// a preview is byte for byte what is sent.
type DigestCopy struct {
	List      *store.List
	BaseURL   string
	MemberID  int64
	FirstUID  int64
	LastUID   int64
	LastMsgID int64
	Part      int
}

// AppendHead writes the member's own fields, which come before the
// part's shared rendering: a Message-ID unique to member, range and
// part, and the one-click List-Unsubscribe fields (RFC 8058).
func (c *DigestCopy) AppendHead(b *bytes.Buffer, tokens *token.Maker) {
	b.WriteString("Message-ID: <digest.")
	b.WriteString(strconv.FormatInt(c.MemberID, 36))
	b.WriteByte('.')
	b.WriteString(strconv.FormatInt(c.FirstUID, 36))
	b.WriteByte('-')
	b.WriteString(strconv.FormatInt(c.LastUID, 36))
	b.WriteByte('.')
	b.WriteString(strconv.Itoa(c.Part))
	b.WriteByte('@')
	b.WriteString(c.List.Domain())
	b.WriteString(">\r\n")
	AppendUnsubscribe(b, c.List, c.BaseURL, tokens.Unsubscribe(c.MemberID))
}

// From is the member's VERP envelope sender for the digest.
func (c *DigestCopy) From(tokens *token.Maker) string {
	return VERPSender(c.List, tokens, c.MemberID, c.LastMsgID)
}
