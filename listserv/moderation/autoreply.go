package moderation

import (
	"strings"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// IsAutoReply follows RFC 3834 section 5 (Auto-Submitted with any value but
// "no"), plus the headers Microsoft and others use for out-of-office
// replies. Such mail is never distributed, never acted on as a moderator's
// reply and never answered.
func IsAutoReply(h mailhdr.Header) bool {
	if v := h.Get("Auto-Submitted"); v != "" {
		// The keyword, before any parameter or comment ("no (human)" is "no").
		kw, _, _ := strings.Cut(v, ";")
		kw, _, _ = strings.Cut(kw, "(")
		if !strings.EqualFold(strings.TrimSpace(kw), "no") {
			return true
		}
	}
	return h.Has("X-Autoreply") || h.Has("X-Autorespond")
}

// SpamLike reports whether a spam filter upstream marked the message; a
// rejection is then not sent back (the sender is most likely forged).
func SpamLike(h mailhdr.Header) bool {
	if strings.EqualFold(strings.TrimSpace(h.Get("X-Spam-Flag")), "yes") {
		return true
	}
	status := strings.ToLower(strings.TrimSpace(h.Get("X-Spam-Status")))
	return strings.HasPrefix(status, "yes") || strings.HasPrefix(strings.ToLower(h.Get("X-Spam")), "yes")
}
