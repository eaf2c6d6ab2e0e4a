package archive

import (
	"strings"
	"unicode"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Query limits: more terms than anyone types, each of a sane length.
const (
	maxTerms    = 12
	maxWordLen  = 64
	maxQueryLen = 500
)

// ParseQuery reads what a visitor typed: words (all must match), "a
// phrase", -word to exclude and word* for a word start. Everything but
// letters and digits separates words, so the store gets only plain words.
// field is "", "subject", "author" or "body".
func ParseQuery(s, field string) (store.ArchiveQuery, error) {
	q := store.ArchiveQuery{}
	switch field {
	case "", "subject", "author", "body":
		q.Field = field
	default:
		q.Field = ""
	}
	if len(s) > maxQueryLen {
		s = s[:maxQueryLen]
	}
	s = strings.ToValidUTF8(s, " ")
	for len(s) > 0 && len(q.Terms) < maxTerms {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			break
		}
		var t store.SearchTerm
		if s[0] == '-' {
			t.Not, s = true, s[1:]
		}
		var chunk string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				chunk, s = s[1:], ""
			} else {
				chunk, s = s[1:end+1], s[end+2:]
			}
		} else {
			end := strings.IndexFunc(s, unicode.IsSpace)
			if end < 0 {
				end = len(s)
			}
			chunk, s = s[:end], s[end:]
			t.Prefix = strings.HasSuffix(chunk, "*")
		}
		t.Words = splitWords(chunk)
		if len(t.Words) > 0 {
			q.Terms = append(q.Terms, t)
		}
	}
	for _, t := range q.Terms {
		if !t.Not {
			return q, nil
		}
	}
	return q, store.ErrBadQuery
}

// splitWords lower-cases and splits on anything not a letter or digit.
func splitWords(s string) []string {
	ws := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	out := ws[:0]
	for _, w := range ws {
		if len(w) > maxWordLen {
			w = strings.ToValidUTF8(w[:maxWordLen], "")
		}
		out = append(out, w)
	}
	return out
}

// String writes q back as a visitor would type it (for the search box).
func String(q store.ArchiveQuery) string {
	var parts []string
	for _, t := range q.Terms {
		p := strings.Join(t.Words, " ")
		if len(t.Words) > 1 {
			p = `"` + p + `"`
		}
		if t.Prefix {
			p += "*"
		}
		if t.Not {
			p = "-" + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}
