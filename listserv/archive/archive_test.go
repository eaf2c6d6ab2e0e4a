package archive

import (
	"bytes"
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

func TestSubjectKey(t *testing.T) {
	for _, c := range []struct {
		in, key string
		reply   bool
	}{
		{"Budget", "budget", false},
		{"Re: Budget", "budget", true},
		{"RE: [team] Re:  Budget  plans", "budget plans", true},
		{"[team] Budget", "budget", false},
		{"AW: Re[2]: Budget", "budget", true},
		{"Fwd: Budget", "budget", true},
		{"Regarding budget", "regarding budget", false},
		{"", "", false},
	} {
		key, reply := SubjectKey(c.in)
		if key != c.key || reply != c.reply {
			t.Errorf("SubjectKey(%q) = %q, %v; want %q, %v", c.in, key, reply, c.key, c.reply)
		}
	}
}

func TestParseQuery(t *testing.T) {
	q, err := ParseQuery(`Budget "red  Tomatoes" -draft tomat* café's`, "subject")
	if err != nil {
		t.Fatal(err)
	}
	if got := String(q); got != `budget "red tomatoes" -draft tomat* "café s"` {
		t.Errorf("parsed = %s", got)
	}
	if q.Field != "subject" {
		t.Errorf("field = %q", q.Field)
	}
	for _, bad := range []string{"", "   ", "-only", `"" - *`, "!!! ???"} {
		if _, err := ParseQuery(bad, ""); err != store.ErrBadQuery {
			t.Errorf("ParseQuery(%q): %v, want ErrBadQuery", bad, err)
		}
	}
	if q, _ := ParseQuery("x", "nonsense"); q.Field != "" {
		t.Errorf("unknown field kept: %q", q.Field)
	}
}

func TestSplitQuotes(t *testing.T) {
	text := "Agreed, see below.\r\n\r\nOn Tue, Ann wrote:\r\n> first\r\n>> older\r\n\r\n> more\r\nMy answer.\r\n-- \r\nBob\r\n"
	bs := SplitQuotes(text)
	kinds := []string{}
	for _, b := range bs {
		kinds = append(kinds, b.Kind)
	}
	if strings.Join(kinds, ",") != "text,quote,text,signature" {
		t.Fatalf("kinds = %v (%+v)", kinds, bs)
	}
	if bs[1].Attribution != "On Tue, Ann wrote:" || bs[1].Lines != 4 || !bs[1].Folded() || bs[0].Folded() {
		t.Errorf("quote block = %+v", bs[1])
	}
	if bs[3].Text != "-- \nBob" {
		t.Errorf("signature = %q", bs[3].Text)
	}
}

const hostileHTML = `<html><head><style>body{position:fixed}</style><script>window.ran=1</script></head>
<body onload="alert(1)"><p style="position:fixed;top:0">Hello <b>there</b></p>
<img src="https://tracker.example.com/pixel.gif" alt="logo">
<a href="https://example.com/x"><img src="http://tracker.example.com/b.png"></a>
<a href="javascript:alert(2)">bad link</a><img src="cid:pic1" alt="inline">
<iframe src="https://example.com/f"></iframe><form action="https://example.com"><input name=x></form>
<svg><script>alert(3)</script></svg><div style="background:url(https://tracker.example.com/c.png)">styled</div></body></html>`

func TestSanitize(t *testing.T) {
	img := Images{PartURL: func(cid string) string {
		if cid == "pic1" {
			return "/lists/team.example.org/m/7/part/2"
		}
		return ""
	}}
	s := Sanitize(hostileHTML, img)
	for _, bad := range []string{"script", "onload", "style=", "<style", "position", "tracker.example.com", "javascript:", "iframe", "form", "input", "alert"} {
		if strings.Contains(strings.ToLower(s.HTML), bad) {
			t.Errorf("sanitised HTML still has %q:\n%s", bad, s.HTML)
		}
	}
	if s.Remote != 2 {
		t.Errorf("remote images = %d, want 2", s.Remote)
	}
	for _, want := range []string{"<b>there</b>", `src="/lists/team.example.org/m/7/part/2"`, "[image: logo]", `href="https://example.com/x"`, "[image]"} {
		if !strings.Contains(s.HTML, want) {
			t.Errorf("sanitised HTML lacks %q:\n%s", want, s.HTML)
		}
	}
	img.AsLinks = true
	s = Sanitize(hostileHTML, img)
	if !strings.Contains(s.HTML, `href="https://tracker.example.com/pixel.gif"`) || strings.Contains(s.HTML, "<img src=\"https://") {
		t.Errorf("remote images as links:\n%s", s.HTML)
	}
}

const multipart = "From: Ann <ann@example.net>\r\nTo: team@example.org\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n" +
	"Content-Type: multipart/alternative; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain words\r\n> quoted\r\n" +
	"--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Html <script>x()</script>words</p>\r\n--b2--\r\n" +
	"--b1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"

func TestReadAndParts(t *testing.T) {
	p := &store.ArchivePost{Raw: []byte(multipart), FromName: "Ann", FromAddr: "ann@example.net", Subject: "raw subject"}
	v := Read(p, ReadOptions{})
	if v.Subject != "Café" || v.To != "team@example.org" || len(v.Blocks) != 2 || !v.HasHTML || v.HTML != "" {
		t.Fatalf("text view = %+v", v)
	}
	if len(v.Files) != 1 || v.Files[0].Name != "report.pdf" || v.Files[0].Index != 3 || v.Files[0].Size != 9 {
		t.Fatalf("files = %+v", v.Files)
	}
	v = Read(p, ReadOptions{PreferHTML: true})
	if !strings.Contains(v.HTML, "Html words") || strings.Contains(v.HTML, "script") {
		t.Errorf("html view = %q", v.HTML)
	}
	part, data, ok := OpenPart(p.Raw, 3)
	if !ok || part.Type != "application/pdf" || string(data) != "%PDF-1.4\n" {
		t.Errorf("OpenPart = %+v %q %v", part, data, ok)
	}
	if _, _, ok := OpenPart(p.Raw, 9); ok {
		t.Error("OpenPart found a part that is not there")
	}
	d := Extract(&store.Message{ID: 1, ListID: 2, Raw: []byte(multipart)})
	if d.Subject != "Café" || !strings.Contains(d.Body, "Plain words") {
		t.Errorf("doc = %+v", d)
	}
}

type pager []*store.ArchivePost

func (p pager) ListArchivePosts(_ context.Context, pg store.ArchivePage) ([]*store.ArchivePost, error) {
	var out []*store.ArchivePost
	for _, x := range p {
		if x.ID > pg.After.ID && len(out) < pg.Limit {
			out = append(out, x)
		}
	}
	return out, nil
}

func TestWriteMbox(t *testing.T) {
	var ps pager
	for i := range 250 {
		ps = append(ps, &store.ArchivePost{ID: int64(i + 1), FromAddr: "ann@example.net", Received: time.Unix(0, 0),
			Raw: []byte("From: ann@example.net\r\nSubject: s\r\n\r\nFrom here\r\n>From there\r\nok\r\n")})
	}
	var b bytes.Buffer
	n, err := WriteMbox(t.Context(), ps, store.ArchivePage{}, &b)
	if err != nil || n != 250 {
		t.Fatalf("WriteMbox = %d, %v", n, err)
	}
	out := b.String()
	if strings.Count(out, "\nFrom ann@example.net Thu Jan  1 00:00:00 1970\n") != 249 || strings.Contains(out, "\r") {
		t.Errorf("separators or line ends wrong:\n%.300s", out)
	}
	if !strings.Contains(out, "\n>From here\n>>From there\nok\n\n") {
		t.Errorf("From lines not quoted:\n%.300s", out)
	}
}

func TestFeed(t *testing.T) {
	l := &store.List{Address: "team@example.org", Name: "Team", Created: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	posts := []*store.ArchivePost{{ID: 9, UID: 3, Subject: "Hello <all>", FromName: "Ann", Received: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Raw: []byte("Subject: x\r\n\r\nFirst words\r\n> quoted away\r\n")}}
	s, err := Feed(l, "https://lists.example.org/", posts)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
		Entries []struct {
			ID      string `xml:"id"`
			Title   string `xml:"title"`
			Summary string `xml:"summary"`
			Link    struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("feed is not XML: %v\n%s", err, s)
	}
	if doc.ID != "tag:example.org,2026-01-02:team" || !strings.HasPrefix(doc.Updated, "2026-03-01") || len(doc.Entries) != 1 {
		t.Fatalf("feed = %+v", doc)
	}
	e := doc.Entries[0]
	if e.ID != "tag:example.org,2026-01-02:team/9" || e.Title != "Hello <all>" || e.Link.Href != "https://lists.example.org/lists/team.example.org/m/3" ||
		strings.TrimSpace(e.Summary) != "First words" {
		t.Errorf("entry = %+v", e)
	}
}

func TestCanRead(t *testing.T) {
	for _, c := range []struct {
		archive, role string
		signedIn      bool
		want          Access
	}{
		{"public", "", false, Allowed},
		{"members", "", false, SignIn},
		{"members", "", true, Forbidden},
		{"members", "member", true, Allowed},
		{"members", "owner", true, Allowed},
		{"off", "owner", true, NoArchive},
	} {
		if got := CanRead(&store.List{Archive: c.archive}, c.role, c.signedIn); got != c.want {
			t.Errorf("CanRead(%s, %q, %v) = %v, want %v", c.archive, c.role, c.signedIn, got, c.want)
		}
	}
}
