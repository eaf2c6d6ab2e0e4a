package newsletter

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// The HTML issue follows GOV.UK Notify's email template: lang set, one
// column of at most 580 px in layout tables marked role="presentation"
// (and only those), 19 px text, real headings and lists, colours with
// enough contrast in light and dark mode, nothing only in images.

type htmlItem struct {
	Title, Link, ICS, When, Where, By, Summary, Respond, Closes, Topics, Published string
}

type htmlDay struct {
	Day    string
	Events []htmlItem
}

type htmlView struct {
	Lang, Title, Heading, Intro  string
	Days                         []htmlDay
	Research, Asks, Offers       []htmlItem
	Nothing                      bool
	Why, Prefs, Unsubscribe, Web string
}

func toHTMLItem(c *Content, it *store.Item) htmlItem {
	h := htmlItem{Title: it.Title, Link: ItemURL(c.BaseURL, it.ID), By: it.By, Summary: it.Summary,
		Respond: it.Respond, Closes: Closes(it), Topics: strings.Join(it.Topics, ", ")}
	if it.Kind == store.ItemEvent {
		h.ICS, h.When, h.Where = ICSURL(c.BaseURL, it.ID), When(it), Where(it)
	}
	if !it.Published.IsZero() {
		h.Published = it.Published.UTC().Format("2 January 2006")
	}
	return h
}

func renderHTML(c *Content) (string, error) {
	v := htmlView{Lang: "en-GB", Title: Subject(c), Heading: Name(c.List), Intro: c.Intro,
		Why: footerWhy(c), Prefs: prefsURL(c), Unsubscribe: unsubMark, Web: archiveURL(c),
		Nothing: len(c.Events)+len(c.Research)+len(c.Asks)+len(c.Offers) == 0}
	for _, d := range c.Days() {
		hd := htmlDay{Day: d.Day.Format("Monday 2 January 2006")}
		for _, e := range d.Events {
			hd.Events = append(hd.Events, toHTMLItem(c, e))
		}
		v.Days = append(v.Days, hd)
	}
	for _, r := range c.Research {
		v.Research = append(v.Research, toHTMLItem(c, r))
	}
	for _, a := range c.Asks {
		v.Asks = append(v.Asks, toHTMLItem(c, a))
	}
	for _, o := range c.Offers {
		v.Offers = append(v.Offers, toHTMLItem(c, o))
	}
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, struct {
		htmlView
		Sub string
	}{v, Title(c)}); err != nil {
		return "", fmt.Errorf("newsletter html: %w", err)
	}
	return b.String(), nil
}

var htmlTemplate = template.Must(template.New("issue").Funcs(template.FuncMap{"split": paragraphs}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>{{.Title}}</title>
<style>
body{margin:0;padding:0;background:#ffffff;color:#0b0c0c}
a{color:#1d70b8}
h1,h2,h3{font-weight:700;line-height:1.25}
ul{padding-left:20px}
@media (prefers-color-scheme: dark){body,table,td{background:#0b0c0c !important;color:#f3f2f1 !important}a{color:#8fbbe6 !important}}
</style>
</head>
<body style="margin:0;padding:0;font-family:Helvetica,Arial,sans-serif;font-size:19px;line-height:1.4;background:#ffffff;color:#0b0c0c">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%">
<tr><td align="center" style="padding:0 10px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;max-width:580px;width:100%">
<tr><td style="font-family:Helvetica,Arial,sans-serif;font-size:19px;line-height:1.4;padding:20px 0;text-align:left">
<h1 style="font-size:32px;margin:0 0 10px">{{.Heading}}</h1>
<p style="margin:0 0 20px;color:#505a5f">{{.Sub}}</p>
{{if .Intro}}<div>{{range $p := split .Intro}}<p style="margin:0 0 15px">{{$p}}</p>{{end}}</div>{{end}}
{{if .Nothing}}<p>Nothing new in your sections this week.</p>{{end}}
{{if .Days}}<h2 style="font-size:27px;margin:30px 0 10px">Events</h2>
{{range .Days}}<h3 style="font-size:22px;margin:20px 0 5px">{{.Day}}</h3>
<ul style="margin:0 0 15px">{{range .Events}}
<li style="margin:0 0 15px"><a href="{{.Link}}">{{.Title}}</a>, {{.When}}{{if .Where}}, {{.Where}}{{end}}{{if .By}}<br>Organised by {{.By}}{{end}}{{if .Summary}}<br>{{.Summary}}{{end}}<br><a href="{{.ICS}}">Add “{{.Title}}” to your calendar</a></li>{{end}}
</ul>{{end}}{{end}}
{{if .Research}}<h2 style="font-size:27px;margin:30px 0 10px">Research</h2>
<ul style="margin:0 0 15px">{{range .Research}}
<li style="margin:0 0 15px"><a href="{{.Link}}">{{.Title}}</a>{{if .By}}, by {{.By}}{{end}}{{if .Published}} ({{.Published}}){{end}}{{if .Summary}}<br>{{.Summary}}{{end}}{{if .Topics}}<br>Topics: {{.Topics}}{{end}}</li>{{end}}
</ul>{{end}}
{{if .Asks}}<h2 style="font-size:27px;margin:30px 0 10px">Asks</h2>
<ul style="margin:0 0 15px">{{range .Asks}}{{template "open" .}}{{end}}
</ul>{{end}}
{{if .Offers}}<h2 style="font-size:27px;margin:30px 0 10px">Offers</h2>
<ul style="margin:0 0 15px">{{range .Offers}}{{template "open" .}}{{end}}
</ul>{{end}}
<hr style="border:0;border-top:1px solid #b1b4b6;margin:30px 0 15px">
<p style="font-size:16px;margin:0 0 10px">{{.Why}}</p>
<p style="font-size:16px;margin:0 0 10px"><a href="{{.Prefs}}">Choose your sections and format</a> · <a href="{{.Unsubscribe}}">Unsubscribe in one click</a> · <a href="{{.Web}}">Read this issue on the web</a></p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
{{define "open"}}
<li style="margin:0 0 15px"><a href="{{.Link}}">{{.Title}}</a>{{if .By}}, from {{.By}}{{end}}{{if .Closes}} ({{.Closes}}){{end}}{{if .Summary}}<br>{{.Summary}}{{end}}{{if .Respond}}<br>To respond: {{.Respond}}{{end}}</li>{{end}}
`))

// paragraphs splits an introduction at blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
