package archive

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/demnet-uk/listserv/listserv/store"
)

// FuzzRead: any stored bytes give a page without panicking, and the
// sanitised HTML never carries script, handlers or remote sources.
func FuzzRead(f *testing.F) {
	f.Add([]byte(multipart))
	f.Add([]byte("Subject: x\r\nContent-Type: text/html\r\n\r\n" + hostileHTML))
	f.Add([]byte("no header at all"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := &store.ArchivePost{Raw: raw}
		for _, o := range []ReadOptions{{}, {PreferHTML: true, Images: Images{AsLinks: true}}} {
			v := Read(p, o)
			checkSafe(t, v.HTML)
			for _, b := range v.Blocks {
				if !utf8.ValidString(b.Text) {
					t.Fatalf("invalid UTF-8 in a text block")
				}
			}
			for _, part := range v.Files {
				OpenPart(raw, part.Index)
			}
		}
		Extract(&store.Message{Raw: raw})
	})
}

// FuzzSanitize: hostile HTML never keeps what could run or load.
func FuzzSanitize(f *testing.F) {
	f.Add(hostileHTML)
	f.Add(`<img src="cid:a"><a href="x"><img src=//evil/x></a>`)
	f.Fuzz(func(t *testing.T, src string) {
		checkSafe(t, Sanitize(src, Images{PartURL: func(string) string { return "/lists/l/m/1/part/2" }}).HTML)
		checkSafe(t, Sanitize(src, Images{AsLinks: true}).HTML)
	})
}

// checkSafe reads the sanitised markup as a browser would and fails on
// any element or attribute that can run, load from elsewhere or style.
func checkSafe(t *testing.T, markup string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(markup))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "iframe", "style", "object", "embed", "link", "meta", "base", "svg", "math", "form", "input", "frame", "video", "audio", "source":
			t.Fatalf("sanitised HTML keeps <%s>: %q", tok.Data, markup)
		}
		for _, a := range tok.Attr {
			k, v := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case strings.HasPrefix(k, "on"), k == "style", k == "srcset", k == "background", k == "class", k == "id":
				t.Fatalf("sanitised HTML keeps attribute %s: %q", k, markup)
			case k == "src" && !ownPart.MatchString(a.Val):
				t.Fatalf("image from elsewhere kept: %q in %q", a.Val, markup)
			case k == "href" && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:")):
				t.Fatalf("dangerous link kept: %q", markup)
			}
		}
	}
}

// FuzzParseQuery: every parsed word is plain letters and digits, so no
// input can change the meaning of the FTS5 or tsquery text built from it.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`budget "red tomatoes" -draft tomat*`, `"unclosed`, `a OR b NEAR(c) col:d ' \ & | ! <->`, "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s, "body")
		if err != nil && err != store.ErrBadQuery {
			t.Fatal(err)
		}
		for _, term := range q.Terms {
			for _, w := range term.Words {
				if w == "" || strings.ContainsAny(w, "\"'*:()-{}^&|!<> \\") {
					t.Fatalf("word %q from %q", w, s)
				}
			}
		}
	})
}
