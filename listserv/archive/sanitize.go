package archive

import (
	"bytes"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Images is how a post's HTML shows pictures: inline ones (cid:) are
// served from the post's own parts; remote ones are never loaded (they
// track readers), only counted, or turned into links on request.
type Images struct {
	// PartURL is the archive address of the part with a Content-ID ("" when
	// the post has no such part).
	PartURL func(contentID string) string
	// AsLinks shows remote images as links instead of leaving them out.
	AsLinks bool
}

// SafeHTML is sanitised markup and how many remote images it had.
type SafeHTML struct {
	HTML   string
	Remote int
}

var (
	policyOnce sync.Once
	policy     *bluemonday.Policy
	// ownPart is the only image source that survives the sanitiser.
	ownPart = regexp.MustCompile(`^/lists/[^/?#]+/m/[0-9]+/part/[0-9]+$`)
)

// archivePolicy keeps text structure, links and our own images: no
// scripts, event handlers, forms, frames, styles, classes or ids (nothing
// that can run, load from elsewhere or escape its box on the page).
// Headings are flattened so a post cannot disturb the page's outline.
func archivePolicy() *bluemonday.Policy {
	policyOnce.Do(func() {
		p := bluemonday.NewPolicy()
		p.AllowElements("p", "br", "b", "i", "em", "strong", "u", "s", "ul", "ol", "li", "blockquote",
			"pre", "code", "div", "span", "hr", "small", "sub", "sup", "dl", "dt", "dd")
		p.AllowAttrs("href").OnElements("a")
		p.AllowAttrs("alt").OnElements("img")
		p.AllowAttrs("src").Matching(ownPart).OnElements("img")
		p.AllowURLSchemes("https", "http", "mailto")
		p.AllowRelativeURLs(true)
		p.RequireParseableURLs(true)
		p.RequireNoFollowOnLinks(true)
		p.RequireNoReferrerOnLinks(true)
		policy = p
	})
	return policy
}

// Sanitize makes a post's HTML safe to put in an archive page.
func Sanitize(src string, img Images) SafeHTML {
	out := SafeHTML{}
	doc, err := html.Parse(strings.NewReader(src))
	if err == nil {
		out.Remote = rewriteImages(doc, img)
		var b bytes.Buffer
		if html.Render(&b, doc) == nil {
			src = b.String()
		}
	}
	out.HTML = archivePolicy().Sanitize(src)
	return out
}

// rewriteImages points cid: images at our parts and removes (or links)
// every other image; it returns how many were remote.
func rewriteImages(n *html.Node, img Images) int {
	remote := 0
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && c.DataAtom == atom.Img {
			remote += rewriteImage(c, img)
		} else {
			remote += rewriteImages(c, img)
		}
		c = next
	}
	return remote
}

func rewriteImage(n *html.Node, img Images) int {
	src, alt := attr(n, "src"), strings.TrimSpace(attr(n, "alt"))
	if cid, ok := strings.CutPrefix(strings.TrimSpace(src), "cid:"); ok {
		if img.PartURL != nil {
			if u := img.PartURL(cid); u != "" {
				n.Attr = []html.Attribute{{Key: "src", Val: u}, {Key: "alt", Val: alt}}
				return 0
			}
		}
		n.Parent.RemoveChild(n)
		return 0
	}
	// A placeholder keeps the place (and gives an image-only link a name).
	label := "[image]"
	if alt != "" {
		label = "[image: " + alt + "]"
	}
	var repl *html.Node
	// Inside a link the placeholder stays text: links cannot nest.
	if img.AsLinks && src != "" && !inLink(n) {
		repl = &html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A, Attr: []html.Attribute{{Key: "href", Val: src}}}
		repl.AppendChild(&html.Node{Type: html.TextNode, Data: label})
	} else {
		repl = &html.Node{Type: html.TextNode, Data: label}
	}
	n.Parent.InsertBefore(repl, n)
	n.Parent.RemoveChild(n)
	return 1
}

func inLink(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == atom.A {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
