package digest

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"

	"github.com/demnet-uk/listserv/listserv/store"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// fixturePosts are the four kinds of post a digest must show well.
func fixturePosts() []*store.Message {
	at := time.Date(2026, 12, 6, 9, 15, 0, 0, time.UTC)
	raws := []string{
		`From: Ann Example <ann@example.net>
To: team@lists.example.org
Subject: Plans for Tuesday
Date: Sun, 06 Dec 2026 09:15:00 +0000
Message-ID: <plain-1@example.net>
Content-Type: text/plain; charset=utf-8

Hello all,

Shall we meet on Tuesday at ten?
------------------------------
Ann
`,
		`From: Bob <bob@example.net>
To: team@lists.example.org
Subject: Re: Plans for Tuesday
Date: Sun, 06 Dec 2026 10:00:00 +0000
Message-ID: <html-2@example.net>
In-Reply-To: <plain-1@example.net>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><blockquote><p>Shall we meet on Tuesday at ten?</p></blockquote>
<p>Yes, <b>ten</b> works. Agenda:</p><ol><li>Budget</li><li>Rota</li></ol>
<p>Notes: <a href="https://example.net/notes">shared notes</a><script>alert(1)</script></p></body></html>
`,
		`From: Carol <carol@example.net>
To: team@lists.example.org
Subject: Minutes attached
Date: Sun, 06 Dec 2026 11:30:00 +0000
Message-ID: <attach-3@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

The minutes are attached.
--b1
Content-Type: application/pdf
Content-Disposition: attachment; filename="minutes.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK
--b1--
`,
		`From: =?utf-8?q?Zo=C3=AB_M=C3=BCller?= <zoe@example.net>
To: team@lists.example.org
Subject: =?utf-8?q?Caf=C3=A9_on_Fr=C3=AEday_=E2=98=95?=
Date: Sun, 06 Dec 2026 12:45:00 +0000
Message-ID: <utf8-4@example.net>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Café at the usual place — see you there.
`,
	}
	ms := make([]*store.Message, len(raws))
	for i, r := range raws {
		ms[i] = &store.Message{ID: int64(100 + i), ListID: 1, UID: int64(i + 1), Raw: crlf(r),
			SentAt: at.Add(time.Duration(i) * time.Hour), Received: at, State: store.StateAccepted}
	}
	return ms
}

func fixtureIssue(t *testing.T, format string) *Issue {
	t.Helper()
	l := &store.List{ID: 1, Address: "team@lists.example.org", Name: "Team Talk", Policy: store.PolicyMembers, Archive: "public"}
	var posts []*Post
	for _, m := range fixturePosts() {
		posts = append(posts, ParsePost(m))
	}
	return &Issue{List: l, Period: Daily, Date: time.Date(2026, 12, 7, 7, 0, 0, 0, mustLoc(t, "Europe/London")),
		Posts: posts, Part: 1, Parts: 1, Format: format, BaseURL: "https://lists.example.org"}
}

func TestRenderGolden(t *testing.T) {
	for _, f := range []string{store.DigestPlain, store.DigestMIME, store.DigestHTML, store.DigestSummary} {
		t.Run(f, func(t *testing.T) {
			r, err := Render(fixtureIssue(t, f))
			if err != nil {
				t.Fatal(err)
			}
			got := append(append([]byte{}, r.Head...), r.Body...)
			path := filepath.Join("testdata", f+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./digest -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test ./digest -update and review the diff)", f, path)
			}
			if _, err := message.Read(bytes.NewReader(got)); err != nil {
				t.Errorf("rendered %s does not parse: %v", f, err)
			}
		})
	}
}

// TestRenderContent checks what each format must say, beside the goldens.
func TestRenderContent(t *testing.T) {
	text := func(f string) string {
		r, err := Render(fixtureIssue(t, f))
		if err != nil {
			t.Fatal(err)
		}
		return decodedText(t, append(r.Head, r.Body...))
	}
	plain := text(store.DigestPlain)
	for _, want := range []string{
		"   1. Plans for Tuesday (Ann Example)", "   4. Café on Frîday ☕ (Zoë Müller)",
		"Message-ID: <html-2@example.net>", "Yes, ten works. Agenda:", "1. Budget", "shared notes <https://example.net/notes>",
		"minutes.pdf (application/pdf", " " + msgSeparator + "\nAnn", tocSeparator,
		"mailto:team@lists.example.org?In-Reply-To=%3Cplain-1%40example.net%3E&subject=Re%3A%20Plans%20for%20Tuesday",
		"https://lists.example.org/me", "mailto:team-leave@lists.example.org",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain digest lacks %q", want)
		}
	}
	if strings.Contains(plain, "alert(1)") {
		t.Error("plain digest shows a script")
	}
	summary := text(store.DigestSummary)
	for _, want := range []string{"Hello all,", "The minutes are attached.", "Reply: mailto:team@lists.example.org?In-Reply-To="} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	r, err := Render(fixtureIssue(t, store.DigestHTML))
	if err != nil {
		t.Fatal(err)
	}
	html := decodedText(t, append(r.Head, r.Body...))
	for _, want := range []string{`<html lang="en">`, `<h1>`, `<a href="#post-2">Re: Plans for Tuesday</a>`,
		`<details><summary>Quoted text</summary><blockquote>`, `href="mailto:team@lists.example.org?In-Reply-To=%3Chtml-2%40example.net%3E`,
		"Caf\u00e9 on Fr\u00eeday", "Plans for Tuesday (Ann Example)"} {
		if !strings.Contains(html, want) {
			t.Errorf("html digest lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>alert") {
		t.Error("html digest carries the post's script")
	}
	if subj := fixtureIssue(t, store.DigestPlain).Subject(); subj != "[Team Talk] Daily digest, Monday 7 December 2026 (4 messages)" {
		t.Errorf("subject = %q", subj)
	}
}

// decodedText walks every text part of a message and joins them decoded.
func decodedText(t *testing.T, raw []byte) string {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err = e.Walk(func(_ []int, p *message.Entity, err error) error {
		if err != nil {
			return err
		}
		ct, _, _ := p.Header.ContentType()
		if strings.HasPrefix(ct, "text/") {
			body, err := io.ReadAll(p.Body)
			if err != nil {
				return err
			}
			b.Write(body)
			b.WriteString("\n")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(b.String(), "\r\n", "\n")
}

// TestMIMERoundTrip: each message/rfc822 part is the stored post, byte
// for byte.
func TestMIMERoundTrip(t *testing.T) {
	is := fixtureIssue(t, store.DigestMIME)
	r, err := Render(is)
	if err != nil {
		t.Fatal(err)
	}
	e, err := message.Read(bytes.NewReader(append(r.Head, r.Body...)))
	if err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	err = e.Walk(func(path []int, p *message.Entity, err error) error {
		if err != nil {
			return err
		}
		if ct, _, _ := p.Header.ContentType(); ct == "message/rfc822" {
			b, err := io.ReadAll(p.Body)
			if err != nil {
				return err
			}
			got = append(got, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(is.Posts) {
		t.Fatalf("%d message/rfc822 parts, want %d", len(got), len(is.Posts))
	}
	for i, p := range is.Posts {
		if !bytes.Equal(got[i], p.Msg.Raw) {
			t.Errorf("post %d differs:\n got %q\nwant %q", i+1, got[i], p.Msg.Raw)
		}
	}
}

func TestSplit(t *testing.T) {
	mk := func(n, size int) []*Post {
		ps := make([]*Post, n)
		for i := range ps {
			ps[i] = &Post{Msg: &store.Message{Raw: make([]byte, size)}}
		}
		return ps
	}
	lens := func(parts [][]*Post) []int {
		var out []int
		for _, p := range parts {
			out = append(out, len(p))
		}
		return out
	}
	for _, tc := range []struct {
		posts []*Post
		want  []int
	}{
		{mk(85, 10), []int{40, 40, 5}},
		{mk(5, 400_000), []int{2, 2, 1}},
		{mk(2, 2<<20), []int{1, 1}},
		{nil, nil},
	} {
		got := lens(Split(tc.posts, DefaultMaxPosts, DefaultMaxBytes))
		if len(got) != len(tc.want) {
			t.Errorf("Split = %v, want %v", got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("Split = %v, want %v", got, tc.want)
			}
		}
	}
}
