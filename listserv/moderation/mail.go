package moderation

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	mail "github.com/wneessen/go-mail"

	"github.com/demnet-uk/listserv/listserv/store"
)

// letter is one notice the engine sends about a list. Every one carries
// Auto-Submitted (RFC 3834) so robots do not answer it, and is sent from
// the list's -bounces address so its own failures come back to us.
type letter struct {
	list      *store.List
	to        string
	subject   string
	body      string
	replyTo   string // LIST-moderate+TOKEN@ on notices a moderator may answer
	inReplyTo string // Message-ID without brackets
	auto      string // Auto-Submitted value: auto-generated or auto-replied
	attach    []byte // a held post, attached as message/rfc822
}

func (lt letter) build() (*store.QueuedMail, error) {
	l := lt.list
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(listName(l)+" moderation", l.SubAddress("owner")); err != nil {
		return nil, fmt.Errorf("notice from: %w", err)
	}
	if err := msg.To(lt.to); err != nil {
		return nil, fmt.Errorf("notice to: %w", err)
	}
	if lt.replyTo != "" {
		if err := msg.ReplyTo(lt.replyTo); err != nil {
			return nil, fmt.Errorf("notice reply-to: %w", err)
		}
	}
	msg.Subject(oneLine(lt.subject, 200))
	msg.SetDate()
	msg.SetMessageIDWithValue(fmt.Sprintf("moderation.%s@%s", randomID(), l.Domain()))
	auto := lt.auto
	if auto == "" {
		auto = "auto-generated"
	}
	msg.SetGenHeader("Auto-Submitted", auto)
	msg.SetGenHeader("X-Loop", l.Address)
	if lt.inReplyTo != "" {
		msg.SetGenHeader("In-Reply-To", "<"+lt.inReplyTo+">")
	}
	msg.SetBodyString(mail.TypeTextPlain, strings.ReplaceAll(lt.body, "\n", "\r\n"))
	if lt.attach != nil {
		// RFC 2046 section 5.2.1: message/rfc822 is never base64 or
		// quoted-printable; the post goes in as received.
		if err := msg.AttachReader("held-message.eml", bytes.NewReader(lt.attach),
			mail.WithFileContentType("message/rfc822"), mail.WithFileEncoding(mail.NoEncoding)); err != nil {
			return nil, fmt.Errorf("attach held post: %w", err)
		}
	}
	var b bytes.Buffer
	if _, err := msg.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render notice: %w", err)
	}
	return &store.QueuedMail{From: l.SubAddress("bounces"), To: lt.to, Raw: b.Bytes()}, nil
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func listName(l *store.List) string {
	if l.Name != "" {
		return l.Name
	}
	return l.Address
}
