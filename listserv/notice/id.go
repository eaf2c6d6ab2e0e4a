package notice

import (
	"crypto/rand"
	"encoding/hex"
)

// MessageID returns a new random Message-ID value (without brackets) in
// domain, with a short tag saying which part of the server sent it. It is
// the one maker of Message-IDs for mail the server writes itself.
func MessageID(tag, domain string) string {
	b := make([]byte, 12)
	rand.Read(b) // never fails (crypto/rand panics on a broken source)
	if domain == "" {
		domain = "localhost"
	}
	return tag + "." + hex.EncodeToString(b) + "@" + domain
}
