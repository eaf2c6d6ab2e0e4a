package delivery

import (
	"bytes"
	"mime"
	"regexp"
	"strings"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Prepared is a post rendered once for a list: everything but the few
// per-member header fields. A copy is perMember + Shared + Body, so the body
// is never re-parsed or re-encoded per member (and keeps its DKIM body hash).
type Prepared struct {
	Shared  []byte // list fields and the rewritten author fields, CRLF ended
	Body    []byte // the blank line and the body exactly as stored
	Stuffed []byte // Body dot-stuffed for SMTP DATA, ending in CRLF: done once per post
	leave   string // mailto: of the -leave address, for List-Unsubscribe
	baseURL string
	private bool // owner mail (owner.go): no per-member list fields
}

// fields the list replaces or that must not travel to members.
var dropFields = []string{
	"Return-Path", "Delivered-To", "List-Id", "List-Post", "List-Help", "List-Subscribe",
	"List-Unsubscribe", "List-Unsubscribe-Post", "List-Archive", "List-Owner", "Precedence", "X-Loop",
}

// Prepare renders m for list l.
func Prepare(l *store.List, m *store.Message, baseURL string) (*Prepared, error) {
	return PrepareWith(l, m, baseURL, Options{})
}

// PrepareWith is Prepare with options (DMARC mitigation, dmarc.go).
func PrepareWith(l *store.List, m *store.Message, baseURL string, opts Options) (*Prepared, error) {
	if m.State == store.StateOwner {
		return prepareOwner(l, m)
	}
	h, body, err := mailhdr.Split(m.Raw)
	if err != nil {
		return nil, err
	}
	baseURL = strings.TrimRight(baseURL, "/")
	h = dotSafe(h.Without(dropFields...))
	h, body = addFooter(h, body, l.Footer)
	if l.SubjectPrefix != "" {
		h = h.Replace("Subject", foldValue(prefixSubject(l.SubjectPrefix, m.Subject), len("Subject: ")))
	}
	if l.ReplyTo == "list" {
		h = h.Replace("Reply-To", "<"+l.Address+">")
	}
	switch opts.DMARC {
	case store.DMARCMunge:
		h = munge(h, l, m)
	case store.DMARCWrap:
		h, body = wrap(h, m.Raw, l, m)
	}
	var b bytes.Buffer
	for _, f := range listFields(l, baseURL) {
		b.Write(f.Raw)
	}
	b.Write(h.Bytes())
	full := append([]byte("\r\n"), body...)
	return &Prepared{
		Shared:  b.Bytes(),
		Body:    full,
		Stuffed: dotStuff(full),
		leave:   "mailto:" + l.SubAddress("leave") + "?subject=unsubscribe",
		baseURL: baseURL,
	}, nil
}

// listFields are the RFC 2369 and RFC 2919 fields every copy carries.
func listFields(l *store.List, base string) mailhdr.Header {
	id := "<" + l.ListID() + ">"
	if l.Name != "" {
		id = encodePhrase(l.Name) + " " + id
	}
	post := "<mailto:" + l.Address + ">"
	if l.Policy == store.PolicyAnnounce {
		post = "NO" // RFC 2369 section 3.4
	}
	h := mailhdr.Header{
		mailhdr.New("List-Id", id),
		mailhdr.New("List-Post", post),
		mailhdr.New("List-Help", "<mailto:"+l.SubAddress("request")+"?subject=help>"),
		mailhdr.New("List-Subscribe", "<"+base+"/lists/"+l.ListID()+">, <mailto:"+l.SubAddress("join")+"?subject=subscribe>"),
		mailhdr.New("List-Owner", "<mailto:"+l.SubAddress("owner")+">"),
	}
	if l.Archive != "off" {
		h = append(h, mailhdr.New("List-Archive", "<"+base+"/lists/"+l.ListID()+"/archive>"))
	}
	return append(h, mailhdr.New("Precedence", "list"), mailhdr.New("X-Loop", l.Address))
}

// AppendHead writes one member's header to b: the per-member fields
// (RFC 8058 one-click unsubscribe) then the shared fields. No line of it
// starts with a dot, so it needs no dot-stuffing.
func (p *Prepared) AppendHead(b *bytes.Buffer, unsubToken string) {
	if p.private {
		b.Write(p.Shared)
		return
	}
	appendUnsubscribe(b, p.baseURL, unsubToken, p.leave)
	b.Write(p.Shared)
}

// AppendCopy writes a member's whole copy (header and body) to b.
func (p *Prepared) AppendCopy(b *bytes.Buffer, unsubToken string) {
	p.AppendHead(b, unsubToken)
	b.Write(p.Body)
}

// dotSafe drops fields whose name starts with a dot (never valid, and the
// only way a header line could need SMTP dot-stuffing).
func dotSafe(h mailhdr.Header) mailhdr.Header {
	out := h[:0:0]
	for _, f := range h {
		if !strings.HasPrefix(f.Name, ".") {
			out = append(out, f)
		}
	}
	return out
}

// dotStuff doubles a leading dot on every line (RFC 5321 section 4.5.2) and
// makes sure the data ends with CRLF, ready for the ".\r\n" terminator.
func dotStuff(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/64+2)
	bol := true
	for _, c := range b {
		if bol && c == '.' {
			out = append(out, '.')
		}
		out = append(out, c)
		bol = c == '\n'
	}
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		out = append(out, '\r', '\n')
	}
	return out
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*((re|fwd?|aw|wg|sv|vs|antw)\s*(\[\d+\])?\s*:\s*)+`)

// prefixSubject adds "[name] " unless it is already there after any
// reply or forward markers, so replies do not pile up prefixes.
func prefixSubject(prefix, subject string) string {
	rest := replyPrefix.ReplaceAllString(subject, "")
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(rest)), strings.ToLower(prefix)) ||
		strings.Contains(strings.ToLower(subject), strings.ToLower(prefix)) {
		return encodeText(subject)
	}
	return encodeText(prefix + " " + subject)
}

func encodeText(s string) string {
	if isASCII(s) {
		return s
	}
	return mime.QEncoding.Encode("utf-8", s)
}

func encodePhrase(s string) string {
	if isASCII(s) && !strings.ContainsAny(s, `()<>[]:;@\,."`) {
		return s
	}
	if isASCII(s) {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	// Q-encoded words in a phrase may not hold specials (RFC 2047 section
	// 5 rule 3); Go's Q encoder leaves them literal, so use B then.
	if strings.ContainsAny(s, "\"#$%&'(),.:;<>@[\\]^`{|}~") {
		return mime.BEncoding.Encode("utf-8", s)
	}
	return mime.QEncoding.Encode("utf-8", s)
}

// foldValue folds v at spaces so its lines stay near 78 octets (RFC 5322
// section 2.2.3) and never pass 998 where a space allows; used is what the
// first line already holds ("Subject: "). Unfolding gives v back. An
// encoded subject is one long line of encoded words otherwise.
func foldValue(v string, used int) string {
	if used+len(v) <= 78 {
		return v
	}
	var b strings.Builder
	n, words := used, false
	for i, w := range strings.Split(v, " ") {
		if i > 0 {
			// Fold only before a word, so no line is blanks alone.
			if w != "" && words && n+1+len(w) > 78 {
				b.WriteString("\r\n")
				n = 0
			}
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
		words = words || w != ""
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 && s[i] != '\t' {
			return false
		}
	}
	return true
}
