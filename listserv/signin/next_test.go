package signin

import (
	"net/url"
	"strings"
	"testing"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/":                     "/",
		"/me":                   "/me",
		"/lists/team.example?x": "/lists/team.example?x",
		"/%2F/evil.test":        "/%2F/evil.test", // a path segment, not a host
		"":                      "/",
		"me":                    "/",
		"//evil.test":           "/",
		"/\\evil.test":          "/",
		"\\\\evil.test":         "/",
		"/\t/evil.test":         "/",
		"/\r\n/evil.test":       "/",
		"/\n/evil.test":         "/",
		"\t//evil.test":         "/",
		" //evil.test":          "/",
		"/\t\\evil.test":        "/",
		"https://evil.test/":    "/",
		"javascript:alert(1)":   "/",
		"/ok\x00/":              "/",
		"/ok\x7f":               "/",
		"/a\tb":                 "/ab", // the browser asks for /ab
	} {
		if got := SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSafeNext: whatever goes in, what comes out, read as a browser reads
// it, stays on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/me", "//evil.test", "/\t/evil.test", "/\\evil.test", "\\/evil.test", "/\r\n/x"} {
		f.Add(s)
	}
	base, err := url.Parse("https://lists.example.org/login")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := SafeNext(in)
		browser := strings.NewReplacer("\t", "", "\r", "", "\n", "", "\\", "/").Replace(out)
		if browser != out {
			t.Fatalf("SafeNext(%q) = %q still changes in a browser", in, out)
		}
		u, err := url.Parse(out)
		if err != nil {
			t.Fatalf("SafeNext(%q) = %q does not parse: %v", in, out, err)
		}
		if got := base.ResolveReference(u); got.Host != base.Host || got.Scheme != base.Scheme {
			t.Fatalf("SafeNext(%q) = %q leads to %s", in, out, got)
		}
	})
}
