package delivery

import (
	"bytes"
	"context"
	"sync"

	"github.com/demnet-uk/listserv/listserv/store"
)

// PostSigner signs (DKIM) everything the engine sends, after every list
// change. A post is begun once per rendering, so the body hash and the
// fields every copy shares are hashed once; each copy then costs its own
// few fields and one signature.
type PostSigner interface {
	// BeginPost returns the signer for the copies of one post of l: shared
	// are the fields every copy has, body the body after the blank line,
	// perMember the names of the fields each copy brings. Nil, nil: the
	// list's domain has no key and copies go unsigned.
	BeginPost(ctx context.Context, l *store.List, shared, body []byte, perMember []string) (CopySigner, error)
	// SignMail signs a whole message the server sends itself (notices)
	// by the key of its From domain; nil when there is none.
	SignMail(ctx context.Context, raw []byte) ([]byte, error)
	// BeginShared is BeginPost for a shared body of queued mail or a
	// digest job (shared fields then body), by its From domain's keys.
	BeginShared(ctx context.Context, shared, body []byte, perMember []string) (CopySigner, error)
}

// CopySigner signs the copies of one post.
type CopySigner interface {
	// SignCopy returns the fields to put in front of a copy whose own
	// fields are perMember.
	SignCopy(perMember []byte) ([]byte, error)
}

// perMemberFields are the fields AppendHead writes before the shared ones.
var perMemberFields = []string{"List-Unsubscribe", "List-Unsubscribe-Post"}

// postSig is a rendering's signer, begun on first use.
type postSig struct {
	once sync.Once
	s    CopySigner
	err  error
}

// signHead returns the signature fields for a copy whose header is head
// (the per-member fields followed by p.Shared).
func (e *Engine) signHead(ctx context.Context, it *prepItem, head []byte) ([]byte, error) {
	if e.PostSigner == nil {
		return nil, nil
	}
	p := it.prep
	it.sig.once.Do(func() {
		var names []string
		if !p.private {
			names = perMemberFields
		}
		it.sig.s, it.sig.err = e.PostSigner.BeginPost(ctx, it.list, p.Shared, bytes.TrimPrefix(p.Body, []byte("\r\n")), names)
	})
	if it.sig.err != nil || it.sig.s == nil {
		return nil, it.sig.err
	}
	return it.sig.s.SignCopy(head[:len(head)-len(p.Shared)])
}

// signMail signs queued mail of the server's own.
func (e *Engine) signMail(ctx context.Context, raw []byte) ([]byte, error) {
	if e.PostSigner == nil {
		return nil, nil
	}
	return e.PostSigner.SignMail(ctx, raw)
}

// digestFields are the fields each copy of a shared body brings
// (DigestCopy.AppendHead).
var digestFields = []string{"Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"}

// signShared returns the signature fields for a copy of a shared body
// whose own fields are head; the body is hashed once per body, not per
// copy, and a domain without a key costs one parse per body.
func (e *Engine) signShared(ctx context.Context, b *bodyItem, head []byte) ([]byte, error) {
	if e.PostSigner == nil {
		return nil, nil
	}
	b.sig.once.Do(func() {
		i := bytes.Index(b.body, []byte("\r\n\r\n"))
		if i < 0 {
			return // not a message: it goes unsigned
		}
		b.sig.s, b.sig.err = e.PostSigner.BeginShared(ctx, b.body[:i+2], b.body[i+4:], digestFields)
	})
	if b.sig.err != nil || b.sig.s == nil {
		return nil, b.sig.err
	}
	return b.sig.s.SignCopy(head)
}
