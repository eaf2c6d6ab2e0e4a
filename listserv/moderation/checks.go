package moderation

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// adminRe matches a line that is only a join or leave request, after
// normalising ("Please unsubscribe me from this list!" matches; "I'd
// subscribe to that view" does not): whole-line matches keep real posts
// that mention the words out of the queue.
var adminRe = regexp.MustCompile(`^(please )?(unsubscribe|subscribe|remove me|take me off|sign ?off|join|leave)` +
	`( me)?( (from |to |off )?(this|the|your)( mailing)? list)?( please)?( thanks?( you)?)?$`)

var bracketRe = regexp.MustCompile(`\[[^\]]*\]`)

// adminLines is how many non-empty body lines are looked at.
const adminLines = 5

// Administrivia reports whether a post looks like a request to join or
// leave sent to the list instead of LIST-join@ or LIST-leave@: its subject
// or one of its first lines is such a request.
func Administrivia(subject, text string) bool {
	s := bracketRe.ReplaceAllString(subject, " ")
	for {
		n := normalize(s)
		t, found := cutReply(n)
		if !found {
			if n != "" && adminRe.MatchString(n) {
				return true
			}
			break
		}
		s = t
	}
	seen := 0
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, ">") {
			continue
		}
		if line == "--" { // signature separator
			break
		}
		if adminRe.MatchString(normalize(line)) {
			return true
		}
		if seen++; seen >= adminLines {
			break
		}
	}
	return false
}

// cutReply removes one leading re/fwd/aw/sv marker of a normalised subject.
func cutReply(s string) (string, bool) {
	for _, p := range []string{"re ", "fwd ", "fw ", "aw ", "sv ", "wg "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return s, false
}

// normalize lower-cases, turns punctuation into spaces and collapses runs.
func normalize(s string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// CountRecipients counts the addresses in To and Cc. An unparsable field
// counts its @ signs, so a malformed list cannot hide its size.
func CountRecipients(h mailhdr.Header) int {
	n := 0
	for _, name := range []string{"To", "Cc"} {
		for _, v := range h.Values(name) {
			as, err := mail.ParseAddressList(v)
			if err != nil {
				n += strings.Count(v, "@")
				continue
			}
			n += len(as)
		}
	}
	return n
}

// ParseAcceptTypes checks and normalises a comma-separated list of MIME
// types ("text/plain, image/*"); "" accepts everything.
func ParseAcceptTypes(s string) (string, error) {
	var out []string
	for _, t := range strings.Split(s, ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		typ, sub, ok := strings.Cut(t, "/")
		if !ok || typ == "" || sub == "" || strings.ContainsAny(t, " ;\"") || typ == "*" && sub != "*" {
			return "", invalid("%q is not a MIME type like text/plain or image/*", t)
		}
		out = append(out, t)
	}
	return strings.Join(out, ","), nil
}

// TypeAccepted reports whether t matches one of the accept patterns
// (exact, type/* or */*); an empty accept list takes everything.
func TypeAccepted(accept, t string) bool {
	if accept == "" {
		return true
	}
	typ, _, _ := strings.Cut(t, "/")
	for _, a := range strings.Split(accept, ",") {
		if a == t || a == "*/*" || a == typ+"/*" {
			return true
		}
	}
	return false
}

// RejectedTypes lists the part types of in that accept does not take.
func RejectedTypes(accept string, in *Inspection) []string {
	var out []string
	for _, p := range in.Parts {
		if !TypeAccepted(accept, p.Type) && !slices.Contains(out, p.Type) {
			out = append(out, p.Type)
		}
	}
	return out
}
