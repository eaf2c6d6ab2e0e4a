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
	// SignMail signs a whole message the server sends itself (notices,
	// digests) by the key of its From domain; nil when there is none.
	SignMail(ctx context.Context, raw []byte) ([]byte, error)
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
