package delivery

import (
	"context"
	"strings"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Mitigator decides how a post's author fields must change so copies
// pass DMARC at members' providers (Mailman's DMARC mitigation): an
// author whose domain publishes p=reject or p=quarantine cannot appear in
// From of mail the list sends, since only the list's signature survives.
type Mitigator interface {
	// DMARCAction is store.DMARCMunge, store.DMARCWrap, or "" (send as is).
	DMARCAction(ctx context.Context, l *store.List, m *store.Message) (string, error)
}

// Options change how Prepare renders a post.
type Options struct {
	DMARC string // store.DMARCMunge or store.DMARCWrap; "" keeps From
}

// viaFrom is From as the list sends a mitigated post: "Ann via Team"
// <team@lists.example.org>.
func viaFrom(l *store.List, m *store.Message) string {
	name := m.FromName
	if name == "" {
		name, _, _ = strings.Cut(m.FromAddr, "@")
	}
	list := l.Name
	if list == "" {
		list = l.LocalPart()
	}
	return encodePhrase(name+" via "+list) + " <" + l.Address + ">"
}

// munge rewrites From to the list and gives replies a way back to the
// author: Reply-To, or Cc when the list already sets Reply-To to itself
// (Mailman's choice); an author's own Reply-To is kept.
func munge(h mailhdr.Header, l *store.List, m *store.Message) mailhdr.Header {
	author := m.FromAddr
	if !h.Has("From") || author == "" {
		return h
	}
	orig := strings.TrimSpace(h.Get("From"))
	h = h.Replace("From", viaFrom(l, m))
	switch {
	case l.ReplyTo == "list":
		if cc := h.Get("Cc"); cc != "" {
			return h.Replace("Cc", strings.TrimSpace(cc)+", "+orig)
		}
		return h.Replace("Cc", orig)
	case !h.Has("Reply-To"):
		return h.Replace("Reply-To", orig)
	}
	return h
}

// wrapFields are what the outer message of a wrapped post copies.
var wrapFields = []string{"To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References"}

// wrap makes the post an attachment (message/rfc822) of a message from
// the list (Mailman's wrap_message), so the author's bytes and signature
// arrive intact inside: changed is the post's header as the list changed
// it (Subject prefix, Reply-To), raw the post as stored.
func wrap(changed mailhdr.Header, raw []byte, l *store.List, m *store.Message) (mailhdr.Header, []byte) {
	var outer mailhdr.Header
	for _, f := range changed {
		for _, n := range wrapFields {
			if strings.EqualFold(f.Name, n) {
				outer = append(outer, f)
			}
		}
	}
	outer = append(outer, mailhdr.New("From", viaFrom(l, m)))
	if rt := changed.Get("Reply-To"); rt != "" {
		outer = append(outer, mailhdr.New("Reply-To", strings.TrimSpace(rt)))
	} else if from := changed.Get("From"); from != "" {
		outer = append(outer, mailhdr.New("Reply-To", strings.TrimSpace(from)))
	}
	outer = append(outer, mailhdr.New("MIME-Version", "1.0"),
		mailhdr.New("Content-Type", "message/rfc822"), mailhdr.New("Content-Disposition", "inline"))
	return outer, raw
}

// SetMitigator makes the engine apply DMARC mitigation to every post it
// renders from now on; call before Run.
func (e *Engine) SetMitigator(m Mitigator) { e.cache.mitigate = m }
