package subscribe

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	mail "github.com/wneessen/go-mail"

	"github.com/demnet-uk/listserv/listserv/store"
)

// note is one message the engine sends: plain text, short, and marked
// Auto-Submitted so that other robots leave it alone (RFC 3834).
type note struct {
	from, fromName string // header From
	envelope       string // MAIL FROM; failures come back here
	to             string
	subject        string
	body           string
	replyTo        string
	inReplyTo      string // Message-ID being answered, without <>
	autoReplied    bool   // answering a message (else auto-generated)
}

// forList fills the sender fields of a note about list l: From the
// -request address (which answers commands), failures to -bounces.
func forList(l *store.List, n note) note {
	n.from, n.fromName, n.envelope = l.SubAddress("request"), ListTitle(l), l.SubAddress("bounces")
	return n
}

// fromSite fills the sender fields of a note that belongs to no list.
func (e *Engine) fromSite(n note) note {
	n.from, n.envelope = e.opt.SiteAddress, e.opt.SiteAddress
	return n
}

func (e *Engine) send(ctx context.Context, n note) error {
	q, err := render(n)
	if err != nil {
		return err
	}
	return e.st.EnqueueMail(ctx, q)
}

// render builds the message with go-mail and returns it ready to queue.
func render(n note) (*store.QueuedMail, error) {
	// ASCII bodies go as 7bit so links stay whole for any reader;
	// anything else is quoted-printable.
	enc := mail.EncodingQP
	if isASCII(n.body) {
		enc = mail.NoEncoding
	}
	m := mail.NewMsg(mail.WithNoDefaultUserAgent(), mail.WithEncoding(enc))
	if err := m.FromFormat(n.fromName, n.from); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := m.To(n.to); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if n.replyTo != "" {
		if err := m.ReplyTo(n.replyTo); err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
	}
	m.Subject(n.subject)
	m.SetDate()
	_, domain, _ := strings.Cut(n.from, "@")
	m.SetMessageIDWithValue("sub." + randomID() + "@" + domain)
	if n.autoReplied {
		m.SetGenHeader("Auto-Submitted", "auto-replied")
	} else {
		m.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	// Exchange and Outlook honour this and send no out-of-office reply.
	m.SetGenHeader("X-Auto-Response-Suppress", "All")
	if n.inReplyTo != "" {
		m.SetGenHeader("In-Reply-To", "<"+n.inReplyTo+">")
		m.SetGenHeader("References", "<"+n.inReplyTo+">")
	}
	m.SetBodyString(mail.TypeTextPlain, strings.ReplaceAll(strings.ReplaceAll(n.body, "\r\n", "\n"), "\n", "\r\n"))
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render mail: %w", err)
	}
	env := n.envelope
	if env == "" {
		env = n.from
	}
	return &store.QueuedMail{From: env, To: n.to, Raw: b.Bytes()}, nil
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
