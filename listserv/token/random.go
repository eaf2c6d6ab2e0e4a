package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

// Random returns a new 160-bit random token for a URL and the hash to
// store: the database never holds a usable token.
func Random() (plain, hash string) {
	b := make([]byte, 20)
	rand.Read(b)
	plain = enc.EncodeToString(b)
	return plain, Hash(plain)
}

// Hash is how a random token or session id is stored and looked up.
func Hash(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(h[:])
}
