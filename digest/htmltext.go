package digest

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// HTMLToText turns an HTML post into readable plain text: paragraphs and
// headings on their own lines, links as "text <url>", list items
// numbered or bulleted, blockquotes as "> " lines, scripts and styles
// dropped, javascript: links dropped. golang.org/x/net/html is already in
// the module (bluemonday uses it); the html2text packages need as much
// post-processing for quotes, numbered lists and javascript: links.
func HTMLToText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return src
	}
	var w textWriter
	w.node(doc)
	out := blankRuns.ReplaceAllString(w.b.String(), "\n\n")
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

var (
	blankRuns = regexp.MustCompile(`\n(?:[ >]*\n)+`)
	spaces    = regexp.MustCompile(`[ \t\r\n]+`)
)

type textWriter struct {
	b      strings.Builder
	quote  int
	bol    bool
	lists  []int // per open list: -1 bulleted, else the next number
	inPre  bool
	noText int // inside script/style/head
}

func (w *textWriter) newline() {
	w.b.WriteByte('\n')
	w.bol = true
}

func (w *textWriter) block() {
	if !w.bol || w.b.Len() > 0 {
		w.newline()
	}
	w.newline()
}

func (w *textWriter) text(s string) {
	if s == "" {
		return
	}
	if w.bol {
		w.b.WriteString(strings.Repeat("> ", w.quote))
		if !w.inPre {
			s = strings.TrimLeft(s, " ")
		}
		w.bol = false
	}
	w.b.WriteString(s)
}

func (w *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		if w.noText > 0 {
			return
		}
		if w.inPre {
			for i, l := range strings.Split(n.Data, "\n") {
				if i > 0 {
					w.newline()
				}
				w.text(l)
			}
			return
		}
		w.text(spaces.ReplaceAllString(n.Data, " "))
		return
	case html.ElementNode:
		w.element(n)
		return
	}
	w.children(n)
}

func (w *textWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

func (w *textWriter) element(n *html.Node) {
	switch n.Data {
	case "script", "style", "head", "title", "template":
		w.noText++
		w.children(n)
		w.noText--
	case "br":
		w.newline()
	case "p", "div", "section", "article", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr":
		w.block()
		w.children(n)
		if strings.HasPrefix(n.Data, "h") && len(n.Data) == 2 && n.Data != "hr" {
			w.newline()
		}
		w.block()
	case "blockquote":
		w.block()
		w.quote++
		w.children(n)
		w.quote--
		w.block()
	case "pre":
		w.block()
		w.inPre = true
		w.children(n)
		w.inPre = false
		w.block()
	case "ul", "ol":
		next := -1
		if n.Data == "ol" {
			next = 1
		}
		w.lists = append(w.lists, next)
		w.block()
		w.children(n)
		w.lists = w.lists[:len(w.lists)-1]
		w.block()
	case "li":
		if !w.bol {
			w.newline()
		}
		mark := "* "
		if k := len(w.lists) - 1; k >= 0 && w.lists[k] > 0 {
			mark = strconv.Itoa(w.lists[k]) + ". "
			w.lists[k]++
		}
		w.text(strings.Repeat("  ", max(0, len(w.lists)-1)) + mark)
		w.children(n)
	case "a":
		w.children(n)
		if href := attr(n, "href"); href != "" && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(href)), "javascript:") &&
			!strings.HasPrefix(href, "#") && href != textOf(n) {
			w.text(" <" + href + ">")
		}
	case "img":
		if alt := attr(n, "alt"); alt != "" {
			w.text("[" + alt + "]")
		}
	case "td", "th":
		w.children(n)
		w.text(" ")
	default:
		w.children(n)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return strings.TrimSpace(b.String())
}
