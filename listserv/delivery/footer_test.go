package delivery

import (
	"bytes"
	"io"
	"strings"
	"testing"

	gomessage "github.com/emersion/go-message"

	"github.com/demnet-uk/listserv/listserv/store"
)

// parts renders m for a list with footer and returns each leaf part's
// media type and decoded text, as a mail reader would see them.
func footerParts(t *testing.T, raw, footer string) ([]string, []string) {
	t.Helper()
	l := &store.List{Address: "team@lists.example.org", ReplyTo: "author", Archive: "off", Footer: footer}
	m := &store.Message{ListID: 1, Raw: []byte(raw), State: store.StateAccepted}
	p, err := Prepare(l, m, "https://lists.example.org")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	p.AppendCopy(&b, "tok")
	e, err := gomessage.Read(&b)
	if err != nil {
		t.Fatalf("rendered copy does not parse: %v\n%s", err, b.String())
	}
	var types, texts []string
	err = e.Walk(func(_ []int, ent *gomessage.Entity, err error) error {
		if err != nil {
			return err
		}
		mt, _, _ := ent.Header.ContentType()
		if strings.HasPrefix(mt, "multipart/") {
			return nil
		}
		body, err := io.ReadAll(ent.Body)
		types, texts = append(types, mt), append(texts, string(body))
		return err
	})
	if err != nil {
		t.Fatalf("walk: %v\n%s", err, b.String())
	}
	return types, texts
}

const footer = "Team Talk: team@lists.example.org\nLeave: https://lists.example.org/lists/team.lists.example.org"

func TestFooterPlainAppended(t *testing.T) {
	raw := "From: ann@example.net\r\nSubject: Hi\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello all.\r\n"
	types, texts := footerParts(t, raw, footer)
	if len(types) != 1 || types[0] != "text/plain" {
		t.Fatalf("parts %v, want one text/plain", types)
	}
	want := "Hello all.\r\n-- \r\nTeam Talk: team@lists.example.org\r\nLeave: https://lists.example.org/lists/team.lists.example.org\r\n"
	if texts[0] != want {
		t.Errorf("body %q, want %q", texts[0], want)
	}
}

func TestFooterNoneKeepsBody(t *testing.T) {
	raw := "From: ann@example.net\r\nSubject: Hi\r\n\r\nHello all.\r\n"
	_, texts := footerParts(t, raw, "")
	if texts[0] != "Hello all.\r\n" {
		t.Errorf("body changed without a footer: %q", texts[0])
	}
}

func TestFooterMixedGetsPart(t *testing.T) {
	raw := "From: ann@example.net\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
		"--XX\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--XX\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--XX--\r\n"
	types, texts := footerParts(t, raw, footer)
	if strings.Join(types, ",") != "text/plain,application/pdf,text/plain" {
		t.Fatalf("parts %v", types)
	}
	if texts[0] != "See attached." || texts[1] != "%PDF-" || !strings.Contains(texts[2], "Team Talk: team@") {
		t.Errorf("texts %q", texts)
	}
}

func TestFooterWrapsOtherPosts(t *testing.T) {
	for name, raw := range map[string]string{
		"html":        "From: ann@example.net\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello <b>all</b></p>\r\n",
		"base64 text": "From: ann@example.net\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8gYWxsLg==\r\n",
		"alternative": "From: ann@example.net\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=AB\r\n\r\n" +
			"--AB\r\nContent-Type: text/plain\r\n\r\nHello all.\r\n--AB\r\nContent-Type: text/html\r\n\r\n<p>Hello all.</p>\r\n--AB--\r\n",
		"latin-1": "From: ann@example.net\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			types, texts := footerParts(t, raw, footer+"\nÉté")
			last := len(types) - 1
			if last < 1 || types[last] != "text/plain" || !strings.Contains(texts[last], "Team Talk") || !strings.Contains(texts[last], "Été") {
				t.Fatalf("no footer part last: %v %q", types, texts)
			}
			if !strings.Contains(texts[0], "Hello") && !strings.Contains(texts[0], "Caf") {
				t.Errorf("the post's own part is lost: %q", texts[0])
			}
		})
	}
}
