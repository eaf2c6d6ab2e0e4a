package subscribe

import (
	"regexp"
	"strings"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// robotLocal are sender local parts that never get an answer (RFC 3834
// section 2: owner-*, *-request, MAILER-DAEMON and the like).
var robotLocal = regexp.MustCompile(`(?i)^(mailer-daemon|postmaster|listserv|majordomo|no-?reply|do-?not-?reply|bounces?|owner-.*|.*-request|.*-bounces(\+.*)?|.*-owner)$`)

// autoSubject matches the subjects of vacation replies in the usual languages.
var autoSubject = regexp.MustCompile(`(?i)^(auto(matic)?[ -]?(reply|response|antwort|svar)|out of (the )?office|abwesenheit|automatyczna|r[ée]ponse automatique|absence)|\(automatic response\)`)

// IsAutomatic reports whether a message was sent by a machine: a bounce
// (null sender), an RFC 3834 auto-reply, list mail, a read receipt or a
// vacation or challenge-response message. Such mail is never answered and
// never confirms anything.
func IsAutomatic(envelopeFrom string, h mailhdr.Header) bool {
	if strings.Trim(envelopeFrom, "<> ") == "" {
		return true
	}
	if v := h.Get("Auto-Submitted"); v != "" {
		kw, _, _ := strings.Cut(v, ";")
		kw, _, _ = strings.Cut(kw, "(")
		if !strings.EqualFold(strings.TrimSpace(kw), "no") {
			return true
		}
	}
	switch strings.ToLower(h.Get("Precedence")) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	for _, name := range []string{"List-Id", "X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply",
		"X-Bluebottle-Request", "X-Boxbe-Request", "X-Loop"} {
		if h.Has(name) {
			return true
		}
	}
	if strings.EqualFold(h.Get("X-Apple-Action"), "VACATION") {
		return true
	}
	if ct := strings.ToLower(h.Get("Content-Type")); strings.HasPrefix(ct, "multipart/report") {
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

// localPart extracts the local part of the first address in s.
func localPart(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Trim(s, "<> ")
	lp, _, _ := strings.Cut(s, "@")
	return lp
}
