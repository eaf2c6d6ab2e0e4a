package newsletter

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Submissions by mail carry their kind as a subject tag, [event] (mail to
// the newsletter) or #event (a discussion-list post), and their fields
// as "Field: value" lines, read best-effort: a field name is matched
// without regard to case, spaces or hyphens, under several common names
// (fieldNames); indented lines continue the field above; other text
// becomes the summary; reading stops at a signature ("-- ").

var (
	bracketTag = regexp.MustCompile(`(?i)\[\s*(event|research|ask|offer)\s*\]`)
	hashTag    = regexp.MustCompile(`(?i)(^|[\s(\[:])#(event|research|ask|offer)\b`)
	replyLead  = regexp.MustCompile(`(?i)^\s*((re|fwd?|aw|sv|wg)\s*:\s*)+`)
)

// SubjectKind reads a subject's [event]/[research]/[ask]/[offer] tag (or,
// with hash, #event/#research/#ask/#offer) and returns the kind and the
// subject without the tag and without Re:/Fwd: (the item's title by
// default). kind is "" when there is no tag.
func SubjectKind(subject string, hash bool) (kind, title string) {
	var rest string
	if hash {
		m := hashTag.FindStringSubmatchIndex(subject)
		if m == nil {
			return "", strings.TrimSpace(subject)
		}
		kind, rest = subject[m[4]:m[5]], subject[:m[4]-1]+subject[m[5]:] // the tag and its #
	} else {
		m := bracketTag.FindStringSubmatchIndex(subject)
		if m == nil {
			return "", strings.TrimSpace(subject)
		}
		kind, rest = subject[m[2]:m[3]], subject[:m[0]]+subject[m[1]:]
	}
	kind = strings.ToLower(kind)
	rest = replyLead.ReplaceAllString(rest, "")
	return kind, strings.Join(strings.Fields(rest), " ")
}

// Canonical field names.
const (
	FTitle     = "title"
	FSummary   = "summary"
	FURL       = "url"
	FBy        = "by"
	FStarts    = "starts"
	FEnds      = "ends"
	FZone      = "zone"
	FAllDay    = "allday"
	FLocation  = "location"
	FRegion    = "region"
	FOnline    = "online"
	FBooking   = "booking"
	FPublished = "published"
	FTopics    = "topics"
	FRespond   = "respond"
	FCloses    = "closes"
)

// fieldNames maps the names people write (lower case, no spaces or
// hyphens) to canonical fields.
var fieldNames = map[string]string{
	"title": FTitle, "what": FTitle, "name": FTitle, "subject": FTitle, "need": FTitle, "needed": FTitle, "offer": FTitle,
	"summary": FSummary, "description": FSummary, "details": FSummary, "about": FSummary, "abstract": FSummary,
	"url": FURL, "link": FURL, "web": FURL, "website": FURL, "more": FURL, "moreinfo": FURL,
	"by": FBy, "organiser": FBy, "organizer": FBy, "organisedby": FBy, "organizedby": FBy, "authors": FBy,
	"author": FBy, "organisation": FBy, "organization": FBy, "from": FBy, "who": FBy, "host": FBy,
	"starts": FStarts, "start": FStarts, "when": FStarts, "date": FStarts, "begins": FStarts,
	"ends": FEnds, "end": FEnds, "until": FEnds, "finishes": FEnds,
	"timezone": FZone, "zone": FZone, "tz": FZone,
	"allday":   FAllDay,
	"location": FLocation, "where": FLocation, "place": FLocation, "venue": FLocation, "address": FLocation,
	"region": FRegion, "nation": FRegion,
	"online": FOnline, "onlinelink": FOnline, "joinlink": FOnline, "meeting": FOnline, "meetinglink": FOnline,
	"booking": FBooking, "bookinglink": FBooking, "book": FBooking, "register": FBooking, "registration": FBooking, "tickets": FBooking,
	"published": FPublished, "publicationdate": FPublished, "publishedon": FPublished,
	"topics": FTopics, "topic": FTopics, "tags": FTopics, "keywords": FTopics,
	"respond": FRespond, "howtorespond": FRespond, "contact": FRespond, "reply": FRespond, "replyto": FRespond,
	"closes": FCloses, "closing": FCloses, "closingdate": FCloses, "deadline": FCloses, "openuntil": FCloses,
}

// fieldKey is a field name as fieldNames spells it, "" when s cannot be
// one (too long, or has characters a name does not).
func fieldKey(s string) string {
	if s == "" || utf8.RuneCountInString(s) > 30 {
		return ""
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToLower(r))
		case r == ' ' || r == '-' || r == '_' || r == '\t':
		default:
			return ""
		}
	}
	return b.String()
}

// Fields are the values read from a submission; Rest is its other text.
type Fields struct {
	Values map[string]string
	Rest   string
}

// ParseFields reads "Field: value" lines from a plain-text body.
func ParseFields(body string) Fields {
	f := Fields{Values: map[string]string{}}
	var rest []string
	last := ""
	for _, line := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n"), "\n") {
		if line == "-- " || line == "--" {
			break
		}
		if last != "" && line != "" && (line[0] == ' ' || line[0] == '\t') && strings.TrimSpace(line) != "" {
			f.Values[last] = strings.TrimSpace(f.Values[last] + " " + strings.TrimSpace(line))
			continue
		}
		last = ""
		if name, value, ok := strings.Cut(line, ":"); ok {
			if key, known := fieldNames[fieldKey(strings.TrimSpace(name))]; known {
				if _, dup := f.Values[key]; !dup { // the first one counts
					f.Values[key] = strings.TrimSpace(value)
				}
				last = key
				continue
			}
		}
		rest = append(rest, strings.TrimRight(line, " \t"))
	}
	f.Rest = strings.TrimSpace(strings.Join(rest, "\n"))
	return f
}

// Topics splits a topics value on commas and semicolons.
func Topics(s string) []string {
	return store.NormalizeTopics(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }))
}
