package bounce

import (
	"regexp"
	"strings"
)

// Detectors for sites whose reports name the recipient in a way the
// generic text reading cannot see (after flufl.bounce's yale and llnl).

// yaleHeadRE opens Yale's nameserver report: the lines after it name
// bare local parts ("userx    No matches to nameserver query").
var yaleHeadRE = regexp.MustCompile(`(?m)^\s*-+Message not delivered to the following:\s*$`)

// detectYale reads Yale's phquery report. It names local parts only, and
// Yale delivered both NAME@yale.edu and NAME@cs.yale.edu, so both count.
func detectYale(m *msg) *Result {
	if !strings.HasSuffix(strings.ToLower(m.from), ".yale.edu") && !strings.HasSuffix(strings.ToLower(m.from), "@yale.edu") {
		return nil
	}
	text := strings.ReplaceAll(m.text, "\r", "")
	loc := yaleHeadRE.FindStringIndex(text)
	if loc == nil {
		return nil
	}
	var rs []Recipient
	for _, line := range strings.Split(text[loc[1]:], "\n")[1:] {
		f := strings.Fields(line)
		if len(f) == 0 {
			if len(rs) > 0 {
				break
			}
			continue
		}
		if strings.HasPrefix(f[0], "-") {
			break
		}
		local := strings.ToLower(f[0])
		if strings.Contains(local, "@") || !addrRE.MatchString(local+"@yale.edu") {
			continue
		}
		for _, dom := range []string{"yale.edu", "cs.yale.edu"} {
			rs = addRecipient(rs, Recipient{Address: local + "@" + dom, Class: Permanent})
		}
	}
	if len(rs) == 0 {
		return nil
	}
	return &Result{Kind: Failed, Recipients: rs}
}

// llnlRE is LLNL's directory answer, which may wrap anywhere.
var llnlRE = regexp.MustCompile(`(?i)The\s+address\s+to\s+which\s+your\s+message\s+was\s+addressed,\s+(\S+@\S+),\s+did\s+not\s+exactly\s+match`)

// detectLLNL reads LLNL's "did not exactly match an LLNL email address".
func detectLLNL(m *msg) *Result {
	sm := llnlRE.FindStringSubmatch(m.text)
	if sm == nil {
		return nil
	}
	a := clean(sm[1])
	if !addrRE.MatchString(a) {
		return nil
	}
	return &Result{Kind: Failed, Recipients: []Recipient{{Address: a, Class: Permanent}}}
}

// detectEnclosed reads a bounce that a relay or gateway wrapped in its
// own report (Sisimai's X5: "The following addresses had permanent
// delivery errors" and nothing else, the real DSN attached). Only one
// level deep, and only when the enclosed message is itself a robot's
// failure report, so a list post returned whole never counts here.
func detectEnclosed(m *msg) *Result {
	if m.nested || m.origRaw == nil || !m.looksLikeBounce() {
		return nil
	}
	r := parse(m.origRaw, true)
	if r.Kind != Failed || !r.Robot || len(r.Recipients) == 0 {
		return nil
	}
	return &Result{Kind: Failed, Recipients: r.Recipients}
}
