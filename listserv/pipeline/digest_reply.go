package pipeline

import (
	"regexp"
	"strings"
)

// ReasonDigestReply: a reply to a whole digest would send every post of
// the day back to everyone (Mailman holds these too).
const ReasonDigestReply = "reply to a digest"

var (
	digestReplySubject = regexp.MustCompile(`(?i)^\s*((re|aw|sv|antw|fwd?)\s*:\s*)+.*\b(daily|weekly)\s+digest\b`)
	digestMasthead     = regexp.MustCompile(`(?im)^>+ ?.*\b(daily|weekly) digest, \w+day \d{1,2} \w+ \d{4}`)
)

// isDigestReply: the subject answers a digest ("Re: [Team Talk] Daily
// digest, …") or the text quotes a digest's masthead.
func isDigestReply(subject, text string) bool {
	return digestReplySubject.MatchString(subject) ||
		(strings.Contains(strings.ToLower(text), "digest") && digestMasthead.MatchString(text))
}
