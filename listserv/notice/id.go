package notice

import (
	"crypto/rand"
	"encoding/hex"
)

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
