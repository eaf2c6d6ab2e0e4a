package archive

import (
	"regexp"
	"strings"
)

// replyPrefix matches what mail clients put before a subject: Re, Fwd and
// their translations (AW, SV, VS, Antw, Odp, RIF, ...), with an optional
// count (Re[2]:, Re^2:) and a list tag ([team]) around them.
var replyPrefix = regexp.MustCompile(`(?i)^\s*(?:(re|aw|sv|vs|antw|odp|rif|r|ref|tr|wg|fw|fwd|enc)(?:\[\d+\]|\^\d+)?\s*:|\[[^\]]{0,40}\])\s*`)

// SubjectKey is the subject as the thread fallback compares it: prefixes
// and list tags stripped, spaces collapsed, lower case. reply says whether
// a reply prefix was there (Fwd: counts as one: it continues a topic).
func SubjectKey(subject string) (key string, reply bool) {
	s := subject
	for i := 0; i < 10; i++ {
		m := replyPrefix.FindStringSubmatchIndex(s)
		if m == nil {
			break
		}
		if m[2] >= 0 {
			reply = true
		}
		s = s[m[1]:]
	}
	return strings.ToLower(strings.Join(strings.Fields(s), " ")), reply
}
