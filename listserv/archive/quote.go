package archive

import (
	"strings"
)

// Block is a run of a plain-text body: what the author wrote, or a quote
// or signature that the page folds away (<details>, no script needed).
type Block struct {
	Kind  string // text, quote, signature
	Text  string
	Lines int
	// Attribution is the "On ... wrote:" line a quote follows, shown in
	// its summary.
	Attribution string
}

// Folded reports whether the page shows the block closed.
func (b Block) Folded() bool { return b.Kind != "text" }

// maxBlocks bounds the runs a page renders; the rest stays in the last.
const maxBlocks = 400

// SplitQuotes cuts text into the author's words, quoted runs ("> "
// lines, with the attribution line before them) and the signature (after
// a "-- " line, RFC 3676 section 4.3).
func SplitQuotes(text string) []Block {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var out []Block
	var cur []string
	kind, attribution := "text", ""
	flush := func() {
		if len(cur) > 0 {
			out = append(out, Block{Kind: kind, Text: strings.Join(cur, "\n"), Lines: len(cur), Attribution: attribution})
		}
		cur, attribution = nil, ""
	}
	for _, l := range lines {
		next := lineKind(kind, l)
		if next != kind && len(out) < maxBlocks {
			var attr string
			if next == "quote" && len(cur) > 0 && isAttribution(cur[len(cur)-1]) {
				attr, cur = cur[len(cur)-1], cur[:len(cur)-1]
			}
			flush()
			kind, attribution = next, attr
		}
		cur = append(cur, l)
	}
	flush()
	return out
}

func lineKind(cur, l string) string {
	switch {
	case cur == "signature":
		return cur
	case l == "-- ":
		return "signature"
	case isQuoted(l):
		return "quote"
	case cur == "quote" && strings.TrimSpace(l) == "":
		return "quote" // blank lines inside a quote stay in it
	}
	return "text"
}

func isQuoted(l string) bool { return strings.HasPrefix(strings.TrimLeft(l, " "), ">") }

// isAttribution recognises "On Tue, Ann wrote:" and its translations by
// the colon at the end of a short line.
func isAttribution(l string) bool {
	l = strings.TrimSpace(l)
	return len(l) > 0 && len(l) < 300 && strings.HasSuffix(l, ":")
}
