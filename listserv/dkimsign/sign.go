package dkimsign

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// Signed are the fields signed when present: what a list sets or keeps
// and what a reader sees (RFC 6376 section 5.4.1), the RFC 2369 and
// RFC 2919 list fields, and RFC 8058's two (which it requires signed).
var Signed = []string{
	"From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID",
	"In-Reply-To", "References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "Content-Disposition",
	"List-Id", "List-Post", "List-Help", "List-Subscribe", "List-Owner",
	"List-Archive", "List-Unsubscribe", "List-Unsubscribe-Post",
}

// overSigned are named once more than they occur, which signs their
// absence (RFC 6376 section 8.15): a relay cannot add a second From,
// Subject or List-Unsubscribe that readers would see instead.
var overSigned = map[string]bool{
	"from": true, "reply-to": true, "to": true, "cc": true, "subject": true,
	"date": true, "message-id": true, "list-id": true, "list-unsubscribe": true,
	"list-unsubscribe-post": true, "content-type": true, "mime-version": true,
}

// Post is the signing state of one message for its keys: the body hash
// and the hash of the fields shared by every copy, computed once. Sign
// adds a copy's own fields; it is safe for concurrent use.
type Post struct {
	keys     []*Key
	tmpl     [][]byte  // per key: the DKIM-Signature field up to "b="
	canon    [][]byte  // per key: canonical tmpl, hashed last
	state    hash.Hash // shared fields hashed; cloned per copy
	perNames []string  // the copy's own fields, in h= order

	once  sync.Once // a post with no per-copy fields signs once
	fixed []byte
	err   error
}

// NewPost prepares signatures by keys (several: one DKIM-Signature each)
// for a message whose fields are shared (every copy's, CRLF ended) plus
// perMember fields named perNames that each copy brings (Sign), and whose
// body (after the blank line) is body. now is the t= tag.
func NewPost(keys []*Key, shared, body []byte, perNames []string, now time.Time) (*Post, error) {
	if len(keys) == 0 {
		return nil, errors.New("dkim: no keys")
	}
	h, err := fields(shared)
	if err != nil {
		return nil, err
	}
	if !hasField(h, "From") {
		return nil, errors.New("dkim: message has no From field")
	}
	names := signedNames(h, perNames)
	perNames = overSign(perNames)
	p := &Post{keys: keys, state: sha256.New(), perNames: perNames}
	for _, c := range pick(h, names) {
		p.state.Write(c)
	}
	bh := base64.StdEncoding.EncodeToString(bodyHash(body))
	all := append(names, perNames...)
	for _, k := range keys {
		t := template(k, all, bh, now)
		p.tmpl = append(p.tmpl, t)
		c := relaxedHeader(t)
		p.canon = append(p.canon, c[:len(c)-2]) // the signature field is hashed without its CRLF
	}
	return p, nil
}

// SignMessage signs a whole message (queued mail: notices, digests) and
// returns the DKIM-Signature fields to put in front of it.
func SignMessage(keys []*Key, raw []byte, now time.Time) ([]byte, error) {
	i := headerEnd(raw)
	if i < 0 {
		return nil, mailhdr.ErrNoHeader
	}
	p, err := NewPost(keys, raw[:i], raw[i:], nil, now)
	if err != nil {
		return nil, err
	}
	return p.Sign(nil)
}

// headerEnd is where the blank line after the header ends, or -1.
func headerEnd(raw []byte) int {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return i + 2 + skipBlank(raw[i+2:])
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return i + 1 + skipBlank(raw[i+1:])
	}
	return -1
}

func skipBlank(b []byte) int {
	if bytes.HasPrefix(b, []byte("\r\n")) {
		return 2
	}
	return 1
}

// Sign returns the DKIM-Signature fields (one per key, CRLF ended) for a
// copy whose own fields are perMember (named as given to NewPost).
func (p *Post) Sign(perMember []byte) ([]byte, error) {
	if len(p.perNames) == 0 {
		p.once.Do(func() { p.fixed, p.err = p.sign(nil) })
		return p.fixed, p.err
	}
	h, err := fields(perMember)
	if err != nil {
		return nil, err
	}
	return p.sign(pick(h, p.perNames))
}

func (p *Post) sign(own [][]byte) ([]byte, error) {
	var out []byte
	for i, k := range p.keys {
		hs := p.state.(hash.Cloner)
		c, err := hs.Clone()
		if err != nil {
			return nil, err
		}
		for _, f := range own {
			c.Write(f)
		}
		c.Write(p.canon[i])
		sum := c.Sum(nil)
		var sig []byte
		if k.Algorithm == Ed25519 {
			sig, err = k.Signer.Sign(rand.Reader, sum, crypto.Hash(0))
		} else {
			sig, err = k.Signer.Sign(rand.Reader, sum, crypto.SHA256)
		}
		if err != nil {
			return nil, fmt.Errorf("dkim: sign with %s: %w", k.Selector, err)
		}
		out = append(out, p.tmpl[i]...)
		out = appendFolded(out, base64.StdEncoding.EncodeToString(sig))
		out = append(out, '\r', '\n')
	}
	return out, nil
}

// template is the DKIM-Signature field with an empty b= (its value goes
// last, RFC 6376 section 3.5), folded so no line passes 78 octets.
func template(k *Key, names []string, bh string, now time.Time) []byte {
	tags := []string{"v=1", "a=" + k.tagA(), "c=relaxed/relaxed", "d=" + k.Domain, "s=" + k.Selector,
		"t=" + strconv.FormatInt(now.Unix(), 10)}
	var b strings.Builder
	b.WriteString("DKIM-Signature: ")
	n := b.Len()
	put := func(s string, sep string, joined bool) {
		if n+len(s)+len(sep) > 76 {
			b.WriteString("\r\n\t")
			n = 1
		} else if !joined && n > len("DKIM-Signature: ") {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(s)
		b.WriteString(sep)
		n += len(s) + len(sep)
	}
	for _, t := range tags {
		put(t, ";", false)
	}
	// h= folds only after a colon, never inside a name (a name split by
	// a fold does not verify; go-mail's signer did that).
	for i, nm := range names {
		s := strings.ToLower(nm)
		if i == 0 {
			s = "h=" + s
		}
		sep := ":"
		if i == len(names)-1 {
			sep = ";"
		}
		put(s, sep, i > 0)
	}
	put("bh="+bh, ";", false)
	b.WriteString("\r\n\tb=")
	return []byte(b.String())
}

// appendFolded appends the base64 signature in lines of 72 (blanks in b=
// are ignored, RFC 6376 section 3.5).
func appendFolded(out []byte, s string) []byte {
	for len(s) > 72 {
		out = append(out, s[:72]...)
		out = append(out, "\r\n\t "...)
		s = s[72:]
	}
	return append(out, s...)
}

// fields splits a block of CRLF-ended header fields.
func fields(b []byte) (mailhdr.Header, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if !bytes.HasSuffix(b, []byte("\n")) {
		return nil, errors.New("dkim: header block does not end a line")
	}
	h, _, err := mailhdr.Split(append(append([]byte{}, b...), '\r', '\n'))
	return h, err
}

// signedNames lists, for the fields present in h (and not brought per
// copy), one name per occurrence plus the over-signed extra.
func signedNames(h mailhdr.Header, perNames []string) []string {
	count := map[string]int{}
	for _, f := range h {
		count[strings.ToLower(f.Name)]++
	}
	var names []string
	for _, nm := range Signed {
		l := strings.ToLower(nm)
		if containsFold(perNames, l) {
			continue
		}
		n := count[l]
		if n > 0 && overSigned[l] {
			n++
		}
		for range n {
			names = append(names, nm)
		}
	}
	return names
}

// pick selects the fields names sign, each name taking the lowest field
// of that name not yet taken (RFC 6376 section 5.4.2), canonicalised; a
// name with none left adds nothing.
func pick(h mailhdr.Header, names []string) [][]byte {
	used := make([]bool, len(h))
	var out [][]byte
	for _, nm := range names {
		for i := len(h) - 1; i >= 0; i-- {
			if !used[i] && strings.EqualFold(h[i].Name, nm) {
				used[i] = true
				out = append(out, relaxedHeader(h[i].Raw))
				break
			}
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// overSign names each over-signed per-copy field once more.
func overSign(names []string) []string {
	out := append([]string{}, names...)
	for _, nm := range names {
		if overSigned[strings.ToLower(nm)] {
			out = append(out, nm)
		}
	}
	return out
}

func hasField(h mailhdr.Header, name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}
