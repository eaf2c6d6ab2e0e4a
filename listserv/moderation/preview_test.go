package moderation

import (
	"strings"
	"testing"
)

func TestSanitizeHTML(t *testing.T) {
	in := `<h1 style="color:red">Big</h1><p onclick="x()">Hi <b>all</b></p><img src="https://t.example/p.gif">` +
		`<script>alert(1)</script><style>body{}</style><iframe src="https://e.example"></iframe>` +
		`<a href="javascript:alert(1)">bad</a><a href="https://example.org/a">good</a><form><input></form>`
	out := SanitizeHTML(in)
	for _, banned := range []string{"<img", "<script", "alert", "<style", "<iframe", "onclick", "style=", "javascript:", "<h1", "<form", "<input"} {
		if strings.Contains(out, banned) {
			t.Errorf("sanitised HTML keeps %q: %s", banned, out)
		}
	}
	for _, kept := range []string{"Big", "<p>Hi <b>all</b></p>", `href="https://example.org/a"`, "nofollow", "noreferrer"} {
		if !strings.Contains(out, kept) {
			t.Errorf("sanitised HTML lost %q: %s", kept, out)
		}
	}
}

func TestMakePreview(t *testing.T) {
	pv := MakePreview([]byte("From: =?utf-8?q?Zo=C3=AB?= <z@x.example>\r\nSubject: hi\r\nX-Other: no\r\n" +
		"Content-Type: text/html\r\n\r\n<p>only html<img src=x></p>"))
	if len(pv.Headers) != 2 || pv.Headers[0].Name != "From" || string(pv.Headers[0].Raw) != "Zoë <z@x.example>" {
		t.Errorf("headers = %+v", pv.Headers)
	}
	if pv.Text != "" || pv.HTML != "<p>only html</p>" {
		t.Errorf("text %q html %q", pv.Text, pv.HTML)
	}
}
