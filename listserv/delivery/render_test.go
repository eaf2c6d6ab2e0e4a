package delivery

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

var wordDecoder = &mime.WordDecoder{}

func decodeHeader(t *testing.T, s string) string {
	t.Helper()
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return d
}

func TestPrefixSubject(t *testing.T) {
	tests := []struct{ subject, want string }{
		{"Hello", "[team] Hello"},
		{"", "[team] "},
		{"Re: [team] Hello", "Re: [team] Hello"},
		{"RE: [TEAM] hi", "RE: [TEAM] hi"},
		{"AW: Fwd: [team] x", "AW: Fwd: [team] x"},
		{"Re[2]: [team] x", "Re[2]: [team] x"},
		{"SV:VS: [team] x", "SV:VS: [team] x"},
		{"[team] already", "[team] already"},
		{"Re: Hello", "[team] Re: Hello"},
		{"[other] Hello", "[team] [other] Hello"},
		{"Re: [teamwork] x", "[team] Re: [teamwork] x"},
	}
	for _, tt := range tests {
		if got := prefixSubject("[team]", tt.subject); got != tt.want {
			t.Errorf("prefixSubject(%q) = %q, want %q", tt.subject, got, tt.want)
		}
	}
}

func TestPrefixSubjectNonASCII(t *testing.T) {
	for _, tt := range []struct{ subject, decoded string }{
		{"Grüße aus Köln", "[team] Grüße aus Köln"},
		{"Re: [team] café", "Re: [team] café"},
		{"日本語の件名", "[team] 日本語の件名"},
		{"tab\tand\r\nnewline", "[team] tab\tand\r\nnewline"}, // control characters never reach the header raw
	} {
		got := prefixSubject("[team]", tt.subject)
		if !strings.HasPrefix(got, "=?utf-8?") || strings.ContainsAny(got, "\r\n") {
			t.Errorf("prefixSubject(%q) = %q, want RFC 2047 encoded words on one line", tt.subject, got)
			continue
		}
		if d := decodeHeader(t, got); d != tt.decoded {
			t.Errorf("prefixSubject(%q) decodes to %q, want %q", tt.subject, d, tt.decoded)
		}
	}
}

// phraseWord is an RFC 2047 encoded word allowed in a phrase (section 5
// rule 3): Q text only of letters, digits and !*+-/=_, or B encoding.
var phraseWord = regexp.MustCompile(`^(=\?utf-8\?q\?[A-Za-z0-9!*+\-/=_]*\?=|=\?utf-8\?b\?[A-Za-z0-9+/=]*\?=)$`)

func TestEncodePhrase(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Team", "Team"},
		{"Team Alpha", "Team Alpha"},
		{"Team, Inc.", `"Team, Inc."`},
		{`Say "hi"`, `"Say \"hi\""`},
		{`back\slash (x)`, `"back\\slash (x)"`},
		{"a@b", `"a@b"`},
	} {
		if got := encodePhrase(tt.in); got != tt.want {
			t.Errorf("encodePhrase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"Équipe", "Équipe (Paris), \"Süd\"", "Café <Team>", "Team\r\nBcc: x@example.org", "日本語チーム"} {
		got := encodePhrase(in)
		if strings.ContainsAny(got, "\r\n") {
			t.Errorf("encodePhrase(%q) = %q holds a line break", in, got)
		}
		for _, w := range strings.Fields(got) {
			if !phraseWord.MatchString(w) {
				t.Errorf("encodePhrase(%q) = %q: %q is not a phrase-safe encoded word", in, got, w)
			}
		}
		if d := decodeHeader(t, got); d != in {
			t.Errorf("encodePhrase(%q) decodes to %q", in, d)
		}
	}
}

const realPost = "Return-Path: <ann@example.org>\r\n" +
	"Delivered-To: team@lists.example.org\r\n" +
	"Received: from mail.example.org (mail.example.org [192.0.2.10])\r\n" +
	"\tby mx.lists.example.org with ESMTPS id 4AbC\r\n" +
	"\tfor <team@lists.example.org>; Tue, 02 Jan 2024 10:11:12 +0100\r\n" +
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;\r\n" +
	"\ts=2024; t=1704186672; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n" +
	"\th=Date:From:To:Subject:Reply-To;\r\n" +
	"\tb=dGVzdCBzaWduYXR1cmU=\r\n" +
	"Message-ID: <5f2c1e2a@example.org>\r\n" +
	"Date: Tue, 2 Jan 2024 10:11:12 +0100\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n" +
	"To: team@lists.example.org\r\n" +
	"From: =?UTF-8?Q?Andr=C3=A9?= <ann@example.org>\r\n" +
	"Reply-To: Ann Private <ann.private@example.org>\r\n" +
	"List-Id: Other list <other.lists.example.net>\r\n" +
	"List-Unsubscribe: <mailto:evil@example.com?subject=gotcha>\r\n" +
	"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" +
	"X-Loop: other@lists.example.net\r\n" +
	"Precedence: bulk\r\n" +
	"Content-Type: text/plain; charset=UTF-8; format=flowed\r\n" +
	"Content-Transfer-Encoding: 8bit\r\n" +
	"\r\n" +
	"Hallo zusammen,\r\n" +
	"\r\n" +
	".\r\n" +
	"..two dots\r\n" +
	"From the start of a line\r\n" +
	"-- \r\n" +
	"Andr\xc3\xa9\r\n"

func teamList() *store.List {
	return &store.List{
		Address: "team@lists.example.org", Name: "Team", Policy: store.PolicyOpen,
		Archive: "public", SubjectPrefix: "[team]", ReplyTo: "list",
	}
}

func message(t testing.TB, raw string) *store.Message {
	t.Helper()
	p, err := mailhdr.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return &store.Message{Raw: []byte(raw), Subject: p.Subject, MessageID: p.MessageID, FromAddr: p.From}
}

// render prepares raw for l and returns one member's copy, split.
func render(t *testing.T, l *store.List, raw string) (*Prepared, []byte, mailhdr.Header, []byte) {
	t.Helper()
	p, err := Prepare(l, message(t, raw), "https://lists.example.org/")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	p.AppendCopy(&b, "TOKEN123")
	h, body, err := mailhdr.Split(b.Bytes())
	if err != nil {
		t.Fatalf("copy does not split: %v\n%s", err, b.Bytes())
	}
	return p, b.Bytes(), h, body
}

func TestPrepareCopy(t *testing.T) {
	l := teamList()
	p, cp, h, body := render(t, l, realPost)

	_, inBody, _ := strings.Cut(realPost, "\r\n\r\n")
	if string(body) != inBody {
		t.Errorf("body changed:\n got %q\nwant %q", body, inBody)
	}
	if !bytes.HasSuffix(cp, []byte("\r\n\r\n"+inBody)) {
		t.Error("copy does not end with blank line + original body")
	}
	want := map[string]string{
		"List-Id":               "Team <team.lists.example.org>",
		"List-Post":             "<mailto:team@lists.example.org>",
		"List-Help":             "<mailto:team-request@lists.example.org?subject=help>",
		"List-Subscribe":        "<https://lists.example.org/lists/team.lists.example.org>, <mailto:team-join@lists.example.org?subject=subscribe>",
		"List-Archive":          "<https://lists.example.org/lists/team.lists.example.org/archive>",
		"List-Owner":            "<mailto:team-owner@lists.example.org>",
		"List-Unsubscribe":      "<https://lists.example.org/u/TOKEN123>, <mailto:team-leave@lists.example.org?subject=unsubscribe>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Precedence":            "list",
		"X-Loop":                "team@lists.example.org",
		"Reply-To":              "<team@lists.example.org>",
	}
	for name, v := range want {
		if got := h.Values(name); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want exactly [%q]", name, got, v)
		}
	}
	for _, gone := range []string{"Return-Path", "Delivered-To"} {
		if h.Has(gone) {
			t.Errorf("%s travelled to members", gone)
		}
	}
	if bytes.Contains(cp, []byte("evil@example.com")) || bytes.Contains(cp, []byte("other.lists.example.net")) {
		t.Error("incoming list fields were kept")
	}
	if got := decodeHeader(t, h.Get("Subject")); got != "[team] Grüße aus Köln" {
		t.Errorf("Subject decodes to %q", got)
	}
	// Every other author field is passed on byte for byte, in order.
	in, _, _ := mailhdr.Split([]byte(realPost))
	var kept []string
	for _, f := range in.Without(append(dropFields, "Subject", "Reply-To")...) {
		kept = append(kept, string(f.Raw))
	}
	var out []string
	for _, f := range h {
		for _, k := range kept {
			if string(f.Raw) == k {
				out = append(out, k)
			}
		}
	}
	if strings.Join(out, "") != strings.Join(kept, "") {
		t.Errorf("author fields changed or reordered:\n got %q\nwant %q", out, kept)
	}
	// The shared part is CRLF throughout and needs no dot-stuffing.
	head := cp[:len(cp)-len(p.Body)]
	for i, line := range bytes.SplitAfter(head, []byte("\n")) {
		if len(line) > 0 && (!bytes.HasSuffix(line, []byte("\r\n")) || line[0] == '.') {
			t.Errorf("header line %d %q", i, line)
		}
	}
	if got := unstuff(p.Stuffed); !bytes.Equal(got, p.Body) {
		t.Errorf("Stuffed does not unstuff to Body:\n got %q\nwant %q", got, p.Body)
	}
}

func TestPrepareListOptions(t *testing.T) {
	t.Run("announce", func(t *testing.T) {
		l := teamList()
		l.Policy = store.PolicyAnnounce
		_, _, h, _ := render(t, l, realPost)
		if got := h.Values("List-Post"); len(got) != 1 || got[0] != "NO" {
			t.Errorf("List-Post = %q, want NO", got)
		}
	})
	t.Run("archive off", func(t *testing.T) {
		l := teamList()
		l.Archive = "off"
		_, _, h, _ := render(t, l, realPost)
		if h.Has("List-Archive") {
			t.Errorf("List-Archive %q with the archive off", h.Get("List-Archive"))
		}
	})
	t.Run("reply-to author keeps the author's", func(t *testing.T) {
		l := teamList()
		l.ReplyTo = "author"
		_, _, h, _ := render(t, l, realPost)
		if got := h.Values("Reply-To"); len(got) != 1 || got[0] != "Ann Private <ann.private@example.org>" {
			t.Errorf("Reply-To = %q", got)
		}
		_, _, h, _ = render(t, l, "From: a@example.org\r\nSubject: x\r\n\r\nb\r\n")
		if h.Has("Reply-To") {
			t.Errorf("Reply-To %q added for author replies", h.Get("Reply-To"))
		}
	})
	t.Run("reply-to list adds one", func(t *testing.T) {
		_, _, h, _ := render(t, teamList(), "From: a@example.org\r\nSubject: x\r\n\r\nb\r\n")
		if got := h.Values("Reply-To"); len(got) != 1 || got[0] != "<team@lists.example.org>" {
			t.Errorf("Reply-To = %q", got)
		}
	})
	t.Run("no prefix keeps the subject raw", func(t *testing.T) {
		l := teamList()
		l.SubjectPrefix = ""
		_, cp, _, _ := render(t, l, realPost)
		if !bytes.Contains(cp, []byte("\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n")) {
			t.Error("Subject rewritten without a prefix")
		}
	})
	t.Run("reply keeps one prefix", func(t *testing.T) {
		_, _, h, _ := render(t, teamList(), "From: a@example.org\r\nSubject: Re: [team] hello\r\n\r\nb\r\n")
		if got := h.Values("Subject"); len(got) != 1 || got[0] != "Re: [team] hello" {
			t.Errorf("Subject = %q", got)
		}
	})
	t.Run("no subject", func(t *testing.T) {
		_, _, h, _ := render(t, teamList(), "From: a@example.org\r\n\r\nb\r\n")
		if got := h.Values("Subject"); len(got) != 1 || got[0] != "[team]" {
			t.Errorf("Subject = %q", got)
		}
	})
	t.Run("header only", func(t *testing.T) {
		_, cp, h, body := render(t, teamList(), "From: a@example.org\r\nSubject: x")
		if len(body) != 0 || !bytes.HasSuffix(cp, []byte("\r\n\r\n")) || h.Get("Subject") != "[team] x" {
			t.Errorf("header-only copy ends %q", cp[max(0, len(cp)-40):])
		}
	})
	t.Run("list name needing quotes", func(t *testing.T) {
		l := teamList()
		l.Name = "Team, Inc."
		_, _, h, _ := render(t, l, realPost)
		if got := h.Get("List-Id"); got != `"Team, Inc." <team.lists.example.org>` {
			t.Errorf("List-Id = %q", got)
		}
	})
	t.Run("no list name", func(t *testing.T) {
		l := teamList()
		l.Name = ""
		_, _, h, _ := render(t, l, realPost)
		if got := h.Get("List-Id"); got != "<team.lists.example.org>" {
			t.Errorf("List-Id = %q", got)
		}
	})
	t.Run("not a message", func(t *testing.T) {
		if _, err := Prepare(teamList(), &store.Message{Raw: []byte("no header here\r\n\r\n")}, ""); err == nil {
			t.Error("Prepare accepted a message without a header")
		}
	})
}

// TestPrepareLineLength: the list's rewriting never makes a header line
// longer than RFC 5322 allows (998), even for a long folded subject.
func TestPrepareLineLength(t *testing.T) {
	for name, subject := range map[string]string{
		"ascii":     strings.Repeat("word ", 400),
		"non-ascii": strings.Repeat("Grüße ", 300),
	} {
		t.Run(name, func(t *testing.T) {
			var folded strings.Builder
			words := strings.Fields(subject)
			for i, w := range words {
				if i > 0 && i%10 == 0 {
					folded.WriteString("\r\n")
				}
				enc := mime.QEncoding.Encode("utf-8", w)
				if enc != w && i < len(words)-1 {
					// The blank goes inside: adjacent encoded words lose the blanks between them.
					enc = mime.QEncoding.Encode("utf-8", w+" ")
				}
				folded.WriteString(" " + enc)
			}
			raw := "From: a@example.org\r\nSubject:" + folded.String() + "\r\n\r\nbody\r\n"
			for _, line := range strings.Split(raw, "\r\n") {
				if len(line) > 998 {
					t.Fatalf("test input has a %d octet line", len(line))
				}
			}
			_, cp, h, _ := render(t, teamList(), raw)
			for i, line := range bytes.Split(cp, []byte("\r\n")) {
				if len(line) > 998 {
					t.Errorf("line %d is %d octets: %.60q...", i, len(line), line)
				}
			}
			if got, want := decodeHeader(t, h.Get("Subject")), "[team] "+strings.TrimSpace(subject); got != want {
				t.Errorf("Subject decodes to %.80q..., want %.80q...", got, want)
			}
		})
	}
}

// unstuff undoes SMTP dot-stuffing and drops a CRLF added at the end.
func unstuff(b []byte) []byte {
	var out []byte
	bol := true
	for i, c := range b {
		if bol && c == '.' && i+1 < len(b) && b[i+1] == '.' {
			bol = false
			continue
		}
		out = append(out, c)
		bol = c == '\n'
	}
	return out
}

func BenchmarkAppendCopy(b *testing.B) {
	var body strings.Builder
	for body.Len() < 4<<10-len(realPost) {
		fmt.Fprintf(&body, "Line %d of a discussion post, long enough to look like prose.\r\n", body.Len())
	}
	raw := realPost + body.String()
	p, err := Prepare(teamList(), message(b, raw), "https://lists.example.org")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		buf.Reset()
		p.AppendCopy(&buf, "TOKEN123456789")
	}
	b.ReportMetric(float64(buf.Len()), "copy-bytes")
}

func TestFoldValue(t *testing.T) {
	for _, v := range []string{
		"short",
		"",
		strings.Repeat("a ", 100),
		"  leading blanks " + strings.Repeat("word ", 40),
		strings.Repeat("x", 200) + " " + strings.Repeat("y", 200) + " z",
		strings.Repeat("=?utf-8?q?Gr=C3=BC=C3=9Fe_?= ", 30),
		"trailing" + strings.Repeat(" ", 100),
	} {
		got := foldValue(v, len("Subject: "))
		if len("Subject: ")+len(v) <= 78 && got != v {
			t.Errorf("foldValue(%q) = %q, want it unchanged", v, got)
		}
		if unfolded := strings.ReplaceAll(got, "\r\n", ""); unfolded != v {
			t.Errorf("foldValue(%q) unfolds to %q", v, unfolded)
		}
		for i, line := range strings.Split("Subject: "+got, "\r\n") {
			if i > 0 && (line == "" || line[0] != ' ' || strings.TrimSpace(line) == "") {
				t.Errorf("foldValue(%q): continuation line %q", v, line)
			}
			rest := line[1:] // a fold may go before any inner blank followed by a word
			if i == 0 {
				rest = line[len("Subject: "):]
			}
			if len(line) > 78 && strings.Contains(strings.TrimSpace(rest), " ") {
				t.Errorf("foldValue(%q): line %q is long but could fold", v, line)
			}
		}
	}
}
