package digest

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// sanitiser keeps user-generated HTML safe inside the digest (no
// scripts, styles, forms or event handlers; links kept). bluemonday is
// the maintained allow-list sanitiser; hand-written filters miss cases.
var sanitiser = bluemonday.UGCPolicy()

var (
	quoteOpen  = regexp.MustCompile(`(?i)<blockquote[^>]*>`)
	quoteClose = regexp.MustCompile(`(?i)</blockquote>`)
	headingTag = regexp.MustCompile(`(?i)<(/?)h[1-6]([^>]*)>`)
)

type htmlPost struct {
	N       int
	ID      string
	Subject string
	Author  string
	From    string
	Date    string
	Body    template.HTML
	Attach  []string
	Reply   template.URL
}

type htmlData struct {
	Title   string
	Heading string
	Posts   []htmlPost
	Footer  []string
}

// renderHTML is multipart/alternative: the plain digest as the text twin,
// then one accessible HTML page (lang, headings, linked contents, quoted
// text folded in <details>, a reply link per post).
func renderHTML(is *Issue) (string, []byte, error) {
	d := htmlData{Title: is.Subject(), Heading: listName(is.List) + ": " + is.Title()}
	for i, p := range is.Posts {
		hp := htmlPost{N: i + 1, ID: fmt.Sprintf("post-%d", i+1), Subject: p.Subject, Author: p.Author(),
			From: fromLine(p), Date: p.Date, Body: postHTML(p), Reply: template.URL(ReplyLink(is.List, p))}
		for _, a := range p.Attachments {
			hp.Attach = append(hp.Attach, a.String())
		}
		d.Posts = append(d.Posts, hp)
	}
	d.Footer = strings.Split(strings.TrimSpace(footer(is)), "\n")
	var page bytes.Buffer
	if err := htmlTemplate.Execute(&page, d); err != nil {
		return "", nil, fmt.Errorf("digest html: %w", err)
	}
	text := qp(renderPlain(is))
	htm := qp(page.String())
	alt := boundary("alt", text, htm)
	var b bytes.Buffer
	fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", alt)
	b.Write(text)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", alt)
	b.Write(htm)
	fmt.Fprintf(&b, "--%s--\r\n", alt)
	return "Content-Type: multipart/alternative; boundary=\"" + alt + "\"\r\n", b.Bytes(), nil
}

// postHTML is the post's sanitised HTML, or its text as paragraphs;
// quoted text is folded either way, and the post's own headings are
// demoted below the digest's (h3 at most) to keep the outline.
func postHTML(p *Post) template.HTML {
	if p.HTML != "" {
		s := sanitiser.Sanitize(p.HTML)
		s = headingTag.ReplaceAllString(s, "<${1}h4${2}>")
		s = quoteOpen.ReplaceAllString(s, "<details><summary>Quoted text</summary><blockquote>")
		s = quoteClose.ReplaceAllString(s, "</blockquote></details>")
		return template.HTML(s) // sanitised by bluemonday above
	}
	var b strings.Builder
	var para, quote []string
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + strings.Join(para, "<br>\n") + "</p>\n")
			para = nil
		}
		if len(quote) > 0 {
			b.WriteString("<details><summary>Quoted text</summary><blockquote><p>" +
				strings.Join(quote, "<br>\n") + "</p></blockquote></details>\n")
			quote = nil
		}
	}
	for _, l := range strings.Split(p.Text, "\n") {
		esc := template.HTMLEscapeString(l)
		switch {
		case strings.HasPrefix(l, ">"):
			if len(para) > 0 {
				b.WriteString("<p>" + strings.Join(para, "<br>\n") + "</p>\n")
				para = nil
			}
			quote = append(quote, template.HTMLEscapeString(strings.TrimSpace(strings.TrimLeft(l, "> "))))
		case strings.TrimSpace(l) == "":
			flush()
		default:
			if len(quote) > 0 {
				flush()
			}
			para = append(para, esc)
		}
	}
	flush()
	return template.HTML(b.String()) // every line escaped above
}

var htmlTemplate = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:40em;margin:0 auto;padding:1em;color:#1a1a1a;background:#fff}
a{color:#0645ad}article{border-top:1px solid #767676;margin-top:1.5em;padding-top:.5em}
blockquote{border-left:3px solid #767676;margin:0 0 0 .5em;padding-left:.75em}img{max-width:100%;height:auto}
pre{white-space:pre-wrap}
</style>
</head>
<body>
<header><h1>{{.Heading}}</h1></header>
<main>
<nav aria-labelledby="contents"><h2 id="contents">Contents</h2>
<ol>{{range .Posts}}
<li><a href="#{{.ID}}">{{.Subject}}</a> ({{.Author}})</li>{{end}}
</ol></nav>
{{range .Posts}}<article id="{{.ID}}" aria-labelledby="{{.ID}}-title">
<h2 id="{{.ID}}-title">{{.N}}. {{.Subject}}</h2>
<p>From {{.From}}<br>{{.Date}}</p>
{{.Body}}{{if .Attach}}<p>Attachments (not included in the digest):</p>
<ul>{{range .Attach}}<li>{{.}}</li>{{end}}</ul>
{{end}}<p><a href="{{.Reply}}">Reply to “{{.Subject}}”</a> · <a href="#contents">Back to contents</a></p>
</article>
{{end}}</main>
<footer>{{range .Footer}}<p>{{.}}</p>{{end}}</footer>
</body>
</html>
`))
