package notice

import (
	"bytes"
	"fmt"
	"strings"

	mail "github.com/wneessen/go-mail"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Mail is one message the server writes itself: plain text, short, marked
// Auto-Submitted. It is the one builder of such mail.
type Mail struct {
	From, FromName string // header From
	Envelope       string // MAIL FROM, where failures come back ("" = From)
	To             string
	ReplyTo        string
	Subject        string
	Body           string // plain text; \n or \r\n line ends
	InReplyTo      string // Message-ID answered, without <>
	AutoReplied    bool   // answers a message (else auto-generated)
	Loop           string // X-Loop value (the list address), when about a list
	Tag            string // Message-ID tag naming the sender part
	Attach         []byte // a message attached as message/rfc822
}

// Build renders m with go-mail, ready to queue.
func (m Mail) Build() (*store.QueuedMail, error) {
	// ASCII bodies go as 7bit so links stay whole for any reader;
	// anything else is quoted-printable.
	enc := mail.EncodingQP
	if isASCII(m.Body) {
		enc = mail.NoEncoding
	}
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent(), mail.WithEncoding(enc))
	if err := msg.FromFormat(m.FromName, m.From); err != nil {
		return nil, fmt.Errorf("notice from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("notice to: %w", err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("notice reply-to: %w", err)
		}
	}
	msg.Subject(oneLine(m.Subject, 200))
	msg.SetDate()
	_, domain, _ := strings.Cut(m.From, "@")
	tag := m.Tag
	if tag == "" {
		tag = "notice"
	}
	msg.SetMessageIDWithValue(MessageID(tag, domain))
	auto := "auto-generated"
	if m.AutoReplied {
		auto = "auto-replied"
	}
	msg.SetGenHeader("Auto-Submitted", auto)
	// Exchange and Outlook honour this and send no out-of-office reply.
	msg.SetGenHeader("X-Auto-Response-Suppress", "All")
	if m.Loop != "" {
		msg.SetGenHeader("X-Loop", m.Loop)
	}
	if m.InReplyTo != "" {
		msg.SetGenHeader("In-Reply-To", "<"+m.InReplyTo+">")
		msg.SetGenHeader("References", "<"+m.InReplyTo+">")
	}
	msg.SetBodyString(mail.TypeTextPlain, crlf(m.Body))
	if m.Attach != nil {
		// RFC 2046 section 5.2.1: message/rfc822 is never base64 or
		// quoted-printable; the message goes in as received.
		if err := msg.AttachReader("held-message.eml", bytes.NewReader(m.Attach),
			mail.WithFileContentType("message/rfc822"), mail.WithFileEncoding(mail.NoEncoding)); err != nil {
			return nil, fmt.Errorf("attach message: %w", err)
		}
	}
	var b bytes.Buffer
	if _, err := msg.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render notice: %w", err)
	}
	env := m.Envelope
	if env == "" {
		env = m.From
	}
	return &store.QueuedMail{From: env, To: m.To, Raw: b.Bytes()}, nil
}

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// oneLine trims s to one line of at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
