package dkimsign

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// KeyStore is where keys are kept (sqldb.DB).
type KeyStore interface {
	DKIMKeys(ctx context.Context, domain string) ([]*store.DKIMKey, error)
}

// Keyring signs with the stored keys of each domain: the newest RSA key,
// then the newest Ed25519 key (a second signature), as delivery's
// PostSigner. Keys are read again after a minute, so a key made with
// `listserv dkim keygen` while serve runs signs from then on.
type Keyring struct {
	st  KeyStore
	ttl time.Duration
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKeys
}

type cachedKeys struct {
	keys []*Key
	at   time.Time
}

var _ delivery.PostSigner = (*Keyring)(nil)

// NewKeyring reads keys from st.
func NewKeyring(st KeyStore) *Keyring {
	return &Keyring{st: st, ttl: time.Minute, Now: time.Now, cache: map[string]cachedKeys{}}
}

// Keys are the keys domain signs with (none: nil).
func (r *Keyring) Keys(ctx context.Context, domain string) ([]*Key, error) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	now := r.Now()
	r.mu.Lock()
	c, ok := r.cache[domain]
	r.mu.Unlock()
	if ok && now.Sub(c.at) < r.ttl {
		return c.keys, nil
	}
	stored, err := r.st.DKIMKeys(ctx, domain)
	if err != nil {
		return nil, err
	}
	keys, err := newest(stored)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.cache[domain] = cachedKeys{keys: keys, at: now}
	r.mu.Unlock()
	return keys, nil
}

// newest picks the newest key of each algorithm, RSA first (stored is
// newest first).
func newest(stored []*store.DKIMKey) ([]*Key, error) {
	var rsaKey, edKey *Key
	for _, s := range stored {
		if (s.Algorithm == RSA && rsaKey != nil) || (s.Algorithm == Ed25519 && edKey != nil) {
			continue
		}
		sg, alg, err := ParsePEM(s.PrivatePEM)
		if err != nil {
			return nil, fmt.Errorf("key %s of %s: %w", s.Selector, s.Domain, err)
		}
		k := &Key{Domain: s.Domain, Selector: s.Selector, Algorithm: alg, Signer: sg}
		if alg == RSA && rsaKey == nil {
			rsaKey = k
		} else if alg == Ed25519 && edKey == nil {
			edKey = k
		}
	}
	var out []*Key
	for _, k := range []*Key{rsaKey, edKey} {
		if k != nil {
			out = append(out, k)
		}
	}
	return out, nil
}

// BeginPost implements delivery.PostSigner with the list domain's keys.
func (r *Keyring) BeginPost(ctx context.Context, l *store.List, shared, body []byte, perMember []string) (delivery.CopySigner, error) {
	keys, err := r.Keys(ctx, l.Domain())
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	return NewPost(keys, shared, body, perMember, r.Now())
}

// SignMail implements delivery.PostSigner by the From domain's keys.
func (r *Keyring) SignMail(ctx context.Context, raw []byte) ([]byte, error) {
	p, err := mailhdr.Parse(raw)
	if err != nil || p.From == "" {
		return nil, nil // not ours to refuse: it goes unsigned
	}
	_, domain, _ := strings.Cut(p.From, "@")
	keys, err := r.Keys(ctx, domain)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	return SignMessage(keys, raw, r.Now())
}

// BeginShared implements delivery.PostSigner by the From domain's keys
// (none, or no From: nil, and the copies go unsigned).
func (r *Keyring) BeginShared(ctx context.Context, shared, body []byte, perMember []string) (delivery.CopySigner, error) {
	p, err := mailhdr.Parse(append(append(make([]byte, 0, len(shared)+2), shared...), "\r\n"...))
	if err != nil || p.From == "" {
		return nil, nil
	}
	_, domain, _ := strings.Cut(p.From, "@")
	keys, err := r.Keys(ctx, domain)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	return NewPost(keys, shared, body, perMember, r.Now())
}

// SignCopy implements delivery.CopySigner.
func (p *Post) SignCopy(perMember []byte) ([]byte, error) { return p.Sign(perMember) }
