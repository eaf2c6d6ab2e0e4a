// Package token is the one place where listserv makes and checks the
// tokens it puts in addresses and URLs. Tokens are stateless: an id plus a
// truncated HMAC-SHA256 under the server's secret, compared in constant
// time, so nothing per copy has to be stored.
package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"
)

// macLen is 80 bits: forging one needs 2^80 guesses against a live server.
const macLen = 10

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Maker makes and checks tokens with one secret.
type Maker struct{ secret []byte }

// New returns a Maker for secret.
func New(secret []byte) *Maker { return &Maker{secret: secret} }

func (m *Maker) mac(purpose string, ids ...int64) string {
	h := hmac.New(sha256.New, m.secret)
	h.Write([]byte(purpose))
	for _, id := range ids {
		h.Write([]byte{0})
		h.Write([]byte(strconv.FormatInt(id, 36)))
	}
	return enc.EncodeToString(h.Sum(nil)[:macLen])
}

// Unsubscribe names one membership in a one-click unsubscribe URL.
func (m *Maker) Unsubscribe(memberID int64) string {
	return strconv.FormatInt(memberID, 36) + "-" + m.mac("unsub", memberID)
}

// ParseUnsubscribe returns the member id of a valid unsubscribe token.
func (m *Maker) ParseUnsubscribe(tok string) (int64, bool) {
	ids, ok := m.parse("unsub", tok, 1)
	if !ok {
		return 0, false
	}
	return ids[0], true
}

// VERP names the member and the post in a copy's envelope sender, so a
// bounce identifies its member without parsing the bounce.
func (m *Maker) VERP(memberID, messageID int64) string {
	return strconv.FormatInt(memberID, 36) + "." + strconv.FormatInt(messageID, 36) + "-" + m.mac("verp", memberID, messageID)
}

// ParseVERP returns the member and message ids of a valid VERP token.
func (m *Maker) ParseVERP(tok string) (memberID, messageID int64, ok bool) {
	ids, ok := m.parse("verp", strings.Replace(tok, ".", "-", 1), 2)
	if !ok {
		return 0, 0, false
	}
	return ids[0], ids[1], true
}

// Reenable names one membership in the link that turns its delivery back
// on after bounces disabled it.
func (m *Maker) Reenable(memberID int64) string {
	return strconv.FormatInt(memberID, 36) + "-" + m.mac("reenable", memberID)
}

// ParseReenable returns the member id of a valid re-enable token.
func (m *Maker) ParseReenable(tok string) (int64, bool) {
	ids, ok := m.parse("reenable", tok, 1)
	if !ok {
		return 0, false
	}
	return ids[0], true
}

func (m *Maker) parse(purpose, tok string, n int) ([]int64, bool) {
	parts := strings.Split(strings.ToLower(tok), "-")
	if len(parts) != n+1 {
		return nil, false
	}
	ids := make([]int64, n)
	for i := range n {
		v, err := strconv.ParseInt(parts[i], 36, 64)
		if err != nil || v <= 0 {
			return nil, false
		}
		ids[i] = v
	}
	want := m.mac(purpose, ids...)
	if !hmac.Equal([]byte(want), []byte(parts[n])) {
		return nil, false
	}
	return ids, true
}

// MAC binds data to a purpose (e.g. a CSRF token bound to a session).
func (m *Maker) MAC(purpose, data string) string {
	h := hmac.New(sha256.New, m.secret)
	h.Write([]byte(purpose + "\x00" + data))
	return enc.EncodeToString(h.Sum(nil)[:16])
}

// CheckMAC compares in constant time.
func (m *Maker) CheckMAC(purpose, data, mac string) bool {
	return mac != "" && hmac.Equal([]byte(m.MAC(purpose, data)), []byte(mac))
}
