package notice

import (
	"regexp"
	"strings"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// The one auto-reply detector. IsAutoReply is what a robot declares about
// itself in header fields; IsAutomatic adds what gives a robot away
// otherwise (null sender, list and bulk mail, reports, robot addresses,
// vacation subjects). The pipeline drops posts by IsAutoReply only (a
// human post may well be titled "Out of office next week"); everything
// that answers or acts on mail uses IsAutomatic.

// IsAutoReply follows RFC 3834 section 5 (Auto-Submitted with any keyword
// but "no"; the keyword may be followed by parameters or a comment, so
// "no (typed by a human)" is "no"), plus the header fields Microsoft,
// Apple and challenge-response services put on their automatic replies.
func IsAutoReply(h mailhdr.Header) bool {
	if v := h.Get("Auto-Submitted"); strings.TrimSpace(v) != "" {
		kw, _, _ := strings.Cut(v, ";")
		kw, _, _ = strings.Cut(kw, "(")
		if !strings.EqualFold(strings.TrimSpace(kw), "no") {
			return true
		}
	}
	for _, name := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply",
		"X-Bluebottle-Request", "X-Boxbe-Request"} {
		if h.Has(name) {
			return true
		}
	}
	return strings.EqualFold(strings.TrimSpace(h.Get("X-Apple-Action")), "VACATION")
}

// robotLocal are sender local parts that never get an answer (RFC 3834
// section 2: owner-*, *-request, MAILER-DAEMON and the like).
var robotLocal = regexp.MustCompile(`(?i)^(mailer-daemon|postmaster|listserv|majordomo|no-?reply|do-?not-?reply|bounces?|owner-.*|.*-request|.*-bounces(\+.*)?|.*-owner)$`)

// autoSubject matches the subjects of vacation replies in the usual languages.
var autoSubject = regexp.MustCompile(`(?i)^(auto(matic)?[ -]?(reply|response|antwort|svar)|out of (the )?office|abwesenheit|automatyczna|r[ée]ponse automatique|absence)|\(automatic response\)`)

// IsAutomatic reports whether a message was sent by a machine: a bounce
// (null sender), an auto-reply (IsAutoReply), list or bulk mail, a
// delivery or read report, or mail from a robot address or with a
// vacation subject. Such mail is never answered and never confirms or
// decides anything.
func IsAutomatic(envelopeFrom string, h mailhdr.Header) bool {
	if strings.Trim(envelopeFrom, "<> ") == "" || IsAutoReply(h) {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	if h.Has("List-Id") || h.Has("X-Loop") {
		return true
	}
	if ct := strings.ToLower(h.Get("Content-Type")); strings.HasPrefix(strings.TrimSpace(ct), "multipart/report") {
		return true // DSNs and read receipts (RFC 6522)
	}
	for _, a := range []string{envelopeFrom, h.Get("From")} {
		if robotLocal.MatchString(localPart(a)) {
			return true
		}
	}
	p, _ := mailhdr.Parse(append(h.Bytes(), '\r', '\n'))
	return p != nil && autoSubject.MatchString(strings.TrimSpace(p.Subject))
}

// SpamLike reports whether a spam filter upstream marked the message; a
// rejection is then not sent back (the sender is most likely forged).
func SpamLike(h mailhdr.Header) bool {
	if strings.EqualFold(strings.TrimSpace(h.Get("X-Spam-Flag")), "yes") {
		return true
	}
	status := strings.ToLower(strings.TrimSpace(h.Get("X-Spam-Status")))
	return strings.HasPrefix(status, "yes") || strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Get("X-Spam"))), "yes")
}

// localPart extracts the local part of the first address in s.
func localPart(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Trim(s, "<> ")
	lp, _, _ := strings.Cut(s, "@")
	return lp
}
