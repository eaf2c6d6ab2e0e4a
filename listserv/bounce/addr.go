package bounce

import (
	"regexp"
	"strings"
)

// addrRE matches an addr-spec with a dotted domain, its local part a
// dot-atom or quoted ("neko..nyaan"@x); good enough for what MTAs print,
// and it never matches across spaces.
var addrRE = regexp.MustCompile(`(?:"[^"\\\s<>]+"|[A-Za-z0-9!#$%&'*+=?^_` + "`" + `{|}~-][A-Za-z0-9.!#$%&'*+=?^_` + "`" + `{|}~-]*)@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+`)

// addressesIn returns the addresses in a header value or text, lower-cased.
func addressesIn(s string) []string {
	var out []string
	for _, a := range addrRE.FindAllString(s, -1) {
		out = append(out, clean(a))
	}
	return out
}

// clean lower-cases an address and strips what MTAs wrap around it. A
// quoted local part keeps its quotes only where a dot-atom cannot spell
// it (RFC 5321 section 4.1.2), so "ann"@x and ann@x are one address.
func clean(a string) string {
	if q := quotedLocalRE.FindStringSubmatch(a); q != nil {
		if !dotAtomRE.MatchString(q[1]) {
			return strings.ToLower(q[0])
		}
		a = q[1] + "@" + q[2]
	}
	a = strings.Trim(a, "<>\"'()[],;:. \t")
	if i := strings.LastIndex(a, "rfc822;"); i >= 0 {
		a = a[i+7:]
	}
	return strings.ToLower(strings.TrimSpace(a))
}

var (
	quotedLocalRE = regexp.MustCompile(`"([^"\\\s<>]+)"@([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])`)
	dotAtomRE     = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+=?^_` + "`" + `{|}~-]+(\.[A-Za-z0-9!#$%&'*+=?^_` + "`" + `{|}~-]+)*$`)
)

// robot local parts are never the failed recipient.
var robotRE = regexp.MustCompile(`(?i)^(postmaster|mailer-daemon|mailer_daemon|mail-daemon|mailerdaemon|double-bounce|nobody|root|daemon)$`)

// bystander reports whether a is someone other than a failed recipient:
// a robot, the bounce's own sender or addressee, or the original sender.
func (m *msg) bystander(a string) bool {
	lp, dom, _ := strings.Cut(a, "@")
	if robotRE.MatchString(lp) || dom == "" {
		return true
	}
	for _, f := range []string{"From", "To", "Return-Path", "Sender", "Reply-To"} {
		for _, b := range addressesIn(m.hdr.Get(f)) {
			if a == b {
				return true
			}
		}
	}
	for _, b := range m.origFrom {
		if a == b {
			return true
		}
	}
	return false
}

// notifiedOrRobot is the narrow bystander test for an address an MTA
// names as failed in a header field: a robot, the bounce's addressee or
// the original sender (a Reply-To may well be the failed recipient).
func (m *msg) notifiedOrRobot(a string) bool {
	lp, dom, _ := strings.Cut(a, "@")
	if robotRE.MatchString(lp) || dom == "" {
		return true
	}
	for _, b := range append(addressesIn(m.hdr.Get("To")), m.origFrom...) {
		if a == b {
			return true
		}
	}
	return false
}

// addRecipient appends r unless its address is already there; a
// permanent failure wins over a temporary one for the same address.
func addRecipient(rs []Recipient, r Recipient) []Recipient {
	for i := range rs {
		if rs[i].Address == r.Address {
			if r.Class == Permanent && rs[i].Class != Permanent {
				rs[i] = r
			}
			return rs
		}
	}
	return append(rs, r)
}

// selfSent: a is the original sender and also its addressee, and no
// robot or the bounce's own sender.
func (m *msg) selfSent(a string) bool {
	lp, _, _ := strings.Cut(a, "@")
	if robotRE.MatchString(lp) {
		return false
	}
	for _, b := range addressesIn(m.hdr.Get("From")) {
		if a == b {
			return false
		}
	}
	for _, b := range m.origTo {
		if a == b {
			return true
		}
	}
	return false
}
