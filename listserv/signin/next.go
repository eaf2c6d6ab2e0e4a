package signin

import (
	"net/url"
	"strings"
)

// SafeNext keeps redirects on this site. Browsers drop ASCII tab, CR and
// LF anywhere in a URL and read a backslash as a slash (WHATWG URL
// standard, "basic URL parser"), so /\t/evil.test becomes //evil.test, a
// link to another host. Judge the path as the browser will read it and
// accept only a same-origin path: one leading slash, not two, and no other
// control characters, and it must parse as a URL. Anything else goes to the home page.
func SafeNext(next string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\r' || r == '\n':
			return -1
		case r == '\\':
			return '/'
		}
		return r
	}, next)
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") || len(clean) > maxNext {
		return "/"
	}
	for _, r := range clean {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return "/"
		}
	}
	if u, err := url.Parse(clean); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return clean
}

// maxNext is as long as the web's longest request URI.
const maxNext = 4096
