package subscribe

import (
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

func TestCommandLines(t *testing.T) {
	for _, c := range []struct {
		subject, body string
		want          string
		unknown       bool
	}{
		{"help", "", "help", false},
		{"Re: subscribe", "", "subscribe", false},
		{"anything", "set digest weekly\nunsubscribe\n", "set digest weekly|unsubscribe", false},
		{"", "  SET NOMAIL  \n\n> quoted help\n-- \nAnn\nhelp", "set nomail", false},
		{"", "set each\nplease remove me from the other list\nhelp", "set each", true},
		{"hello", "", "", true},
		{"set sail", "set digest monthly", "", true},
		{"", "end\nhelp", "", true},
		{"help", "Help\n HELP \nset  each\nhelp", "help|set each", false},
		{"", strings.Repeat("help\n", 20), "help", false},
		{"", strings.Repeat("help\nset each\nset nomail\nset digest\nset digest weekly\nsubscribe\njoin\nleave\nunsubscribe\nset digest daily\n", 2) + "set sail",
			"help|set each|set nomail|set digest|set digest weekly|subscribe|join|leave|unsubscribe|set digest daily", false},
	} {
		cmds, unknown := commandLines(c.subject, c.body)
		if got := strings.Join(cmds, "|"); got != c.want || unknown != c.unknown {
			t.Errorf("commandLines(%q, %q) = %q, %v; want %q, %v", c.subject, c.body, got, unknown, c.want, c.unknown)
		}
	}
}

func TestPlainText(t *testing.T) {
	multi := "From: a@x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n" +
		"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nset digest=0D=0Ahelp caf=E9\r\n" +
		"--b\r\nContent-Type: text/html\r\n\r\n<p>ignored</p>\r\n--b--\r\n"
	if got := plainText([]byte(multi)); got != "set digest\r\nhelp café" {
		t.Errorf("multipart: %q", got)
	}
	if got := plainText([]byte("Subject: x\r\n\r\nunsubscribe\r\n")); got != "unsubscribe" {
		t.Errorf("plain: %q", got)
	}
	html := "Content-Type: text/html\r\n\r\n<p>help</p>\r\n"
	if got := plainText([]byte(html)); got != "" {
		t.Errorf("html only: %q", got)
	}
}

func TestCheckProfile(t *testing.T) {
	p := &store.Person{Name: "  Ann \n Example ", OrgWebsite: "lab.example.org", OrgRegion: "wales", Format: "weird",
		Sections: []string{"events", "bogus", "events", "asks"}}
	if err := CheckProfile(p); err != nil {
		t.Fatal(err)
	}
	if p.Name != "Ann Example" || p.OrgWebsite != "https://lab.example.org" || p.Format != store.FormatHTML ||
		strings.Join(p.Sections, ",") != "events,asks" {
		t.Errorf("tidied = %+v", p)
	}
	for _, bad := range []*store.Person{
		{OrgWebsite: "javascript:alert(1)"},
		{OrgWebsite: "ftp://x.example"},
		{OrgWebsite: "https://nodot"},
		{OrgRegion: "atlantis"},
		{OrgFocus: "nothing"},
		{Name: strings.Repeat("x", 101)},
	} {
		if err := CheckProfile(bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}
