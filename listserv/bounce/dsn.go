package bounce

import (
	"regexp"
	"strings"
)

// RFC 3464 section 2: a delivery-status body is a per-message block and
// one block per recipient, each a list of header-like fields.

// fields is one block of a delivery-status body (lower-case names).
type fields map[string]string

// parseBlocks splits a delivery-status body into blocks. A recipient
// block starts at a blank line, or at a second Final-Recipient field
// (some MTAs leave the blank lines out).
func parseBlocks(body string) []fields {
	var out []fields
	cur := fields{}
	last := ""
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur, last = fields{}, ""
	}
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			cur[last] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(name, " \t") {
			continue
		}
		name = strings.ToLower(name)
		if name == "final-recipient" && cur["final-recipient"] != "" {
			flush()
		}
		if old, dup := cur[name]; dup {
			cur[name] = old + ", " + strings.TrimSpace(value)
		} else {
			cur[name] = strings.TrimSpace(value)
		}
		last = name
	}
	flush()
	return out
}

var (
	enhancedRE = regexp.MustCompile(`\b([245])\.(\d{1,3})\.(\d{1,3})\b`)
	basicRE    = regexp.MustCompile(`(?:^|[\s:;(\[#])([245])\d\d(?:[\s-]|$)`)
)

// findEnhanced returns the first enhanced status code (RFC 3463) in s
// that is not part of an IP address or version number.
func findEnhanced(s string) string {
	for _, loc := range enhancedRE.FindAllStringIndex(s, -1) {
		if loc[0] > 0 && (s[loc[0]-1] == '.' || isDigit(s[loc[0]-1])) {
			continue
		}
		if loc[1]+1 < len(s) && s[loc[1]] == '.' && isDigit(s[loc[1]+1]) {
			continue
		}
		return s[loc[0]:loc[1]]
	}
	return ""
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// classOf reads a class from a status code, then a diagnostic text.
func classOf(status, diag string) (Class, string, bool) {
	for _, s := range []string{status, diag} {
		if c := findEnhanced(s); c != "" {
			return digitClass(c[:1]), c, true
		}
	}
	if c := basicRE.FindStringSubmatch(diag); c != nil {
		return digitClass(c[1]), "", true
	}
	return "", "", false
}

func digitClass(d string) Class {
	switch d {
	case "5":
		return Permanent
	case "4":
		return Temporary
	}
	return "" // 2: success
}

// recipientAddress is the block's recipient: Final-Recipient (what the
// reporting MTA tried), else Original-Recipient.
func recipientAddress(f fields) string {
	for _, k := range []string{"final-recipient", "original-recipient", "x-actual-recipient"} {
		if as := addressesIn(f[k]); len(as) > 0 {
			return as[0]
		}
	}
	return ""
}

// dsnRecipients reads the recipient blocks of a delivery-status body.
// delivered counts success blocks (Action delivered, relayed, expanded).
func dsnRecipients(body string) (rs []Recipient, delivered int) {
	for _, f := range parseBlocks(body) {
		addr := recipientAddress(f)
		if addr == "" {
			continue
		}
		action := strings.ToLower(strings.TrimSpace(f["action"]))
		action, _, _ = strings.Cut(action, " ")
		class, code, known := classOf(f["status"], f["diagnostic-code"])
		remote := findEnhanced(f["diagnostic-code"])
		switch {
		case action == "delivered" || action == "relayed" || action == "expanded":
			delivered++
			continue
		case action == "failed" && class == Temporary && strings.HasPrefix(remote, "5."):
			// The remote server's own reply (550 5.5.0) is more specific
			// than the reporting MTA's summary status (4.5.0).
			class, code = Permanent, remote
		case action == "delayed":
			class = Temporary
		case action == "failed" && (!known || class == ""):
			class = Permanent
		case action == "" && (!known || class == ""):
			if known { // a 2.x.x status without an action: a success
				delivered++
			}
			continue
		}
		rs = addRecipient(rs, Recipient{Address: addr, Class: class, Status: code})
	}
	return rs, delivered
}

// finalReasonRE: reasons that no retry can cure, as OpenSMTPD writes
// them beside each recipient ("x@y: Envelope expired") in a report whose
// delivery-status part still says delayed.
var finalReasonRE = regexp.MustCompile(`(?i)^\s*envelope expired|^\s*no mx found for domain`)

// finalReason reports whether the text names addr on a line of its own
// ("addr: reason") with a reason no retry can cure.
func finalReason(text, addr string) bool {
	for _, line := range strings.Split(text, "\n") {
		rest, ok := cutPrefixFold(strings.TrimSpace(line), addr+":")
		if ok && finalReasonRE.MatchString(rest) {
			return true
		}
	}
	return false
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

// dsnInText finds delivery-status fields pasted into a text report.
var dsnInText = regexp.MustCompile(`(?im)^(Reporting-MTA|Final-Recipient|Original-Recipient)[ \t]*:`)

func detectDSN(m *msg) *Result {
	bodies := m.status
	if len(bodies) == 0 {
		if loc := dsnInText.FindStringIndex(m.text); loc != nil {
			bodies = [][]byte{[]byte(m.text[loc[0]:])}
		}
	}
	var rs []Recipient
	delivered := 0
	for _, b := range bodies {
		r, d := dsnRecipients(string(b))
		for _, x := range r {
			rs = addRecipient(rs, x)
		}
		delivered += d
	}
	for i := range rs {
		if rs[i].Class == Temporary && finalReason(m.text, rs[i].Address) {
			rs[i].Class = Permanent
		}
	}
	switch {
	case len(rs) > 0:
		return &Result{Kind: Failed, Recipients: rs}
	case delivered > 0:
		return &Result{Kind: Delivered}
	}
	return nil
}
