// Package dkimsign signs the mail the server sends with DKIM (RFC 6376,
// RFC 8463 for Ed25519), relaxed/relaxed, with an explicit list of signed
// fields. It exists beside go-msgauth (which the tests verify with)
// because go-msgauth hashes the body again for every signature: here the
// body hash and the shared header fields are hashed once per post, and a
// copy costs the hash of its own few fields and one private-key operation.
package dkimsign

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Algorithms a key can have.
const (
	RSA     = "rsa"
	Ed25519 = "ed25519"
)

// ErrBadKey: stored key material that cannot be used.
var ErrBadKey = errors.New("dkim: unusable key")

// Key is one signing key of a domain.
type Key struct {
	Domain    string
	Selector  string
	Algorithm string // RSA or Ed25519
	Signer    crypto.Signer
}

// Generate makes a new key: RSA-2048 or Ed25519.
func Generate(algorithm string) (crypto.Signer, error) {
	switch algorithm {
	case RSA:
		return rsa.GenerateKey(rand.Reader, 2048)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("%w: algorithm %q (want rsa or ed25519)", ErrBadKey, algorithm)
}

// MarshalPEM is the private key as PKCS #8 PEM, as stored.
func MarshalPEM(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("dkim: marshal key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePEM reads a PKCS #8 PEM private key and says which algorithm it is.
func ParsePEM(b []byte) (crypto.Signer, string, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, "", fmt.Errorf("%w: no PEM block", ErrBadKey)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrBadKey, err)
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, RSA, nil
	case ed25519.PrivateKey:
		return k, Ed25519, nil
	}
	return nil, "", fmt.Errorf("%w: %T is neither RSA nor Ed25519", ErrBadKey, k)
}

// PublicValue is the p= of the key's DNS record: base64 of the
// SubjectPublicKeyInfo for RSA, of the raw 32 bytes for Ed25519 (RFC 8463
// section 4.2).
func PublicValue(k crypto.Signer) (string, error) {
	switch pub := k.Public().(type) {
	case ed25519.PublicKey:
		return base64.StdEncoding.EncodeToString(pub), nil
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return "", err
		}
		return base64.StdEncoding.EncodeToString(der), nil
	}
	return "", fmt.Errorf("%w: %T", ErrBadKey, k.Public())
}

// TXTRecord is what to publish at SELECTOR._domainkey.DOMAIN.
func TXTRecord(k crypto.Signer) (string, error) {
	p, err := PublicValue(k)
	if err != nil {
		return "", err
	}
	alg := RSA
	if _, ok := k.Public().(ed25519.PublicKey); ok {
		alg = Ed25519
	}
	return "v=DKIM1; k=" + alg + "; p=" + p, nil
}

// RecordName is the DNS name of a key's record.
func RecordName(selector, domain string) string {
	return selector + "._domainkey." + strings.TrimSuffix(domain, ".")
}

// ZoneLines splits a TXT value into the quoted strings of at most 255
// octets a zone file needs (an RSA-2048 record is longer than one).
func ZoneLines(txt string) []string {
	var out []string
	for len(txt) > 0 {
		n := min(len(txt), 250)
		out = append(out, `"`+txt[:n]+`"`)
		txt = txt[n:]
	}
	return out
}

func (k *Key) tagA() string {
	if k.Algorithm == Ed25519 {
		return "ed25519-sha256"
	}
	return "rsa-sha256"
}
