package moderation

import (
	"fmt"
	"strings"
	"testing"
)

const nested = "From: a@x.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n\r\n" +
	"--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n" +
	"--inner\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 at noon\r\n" +
	"--inner\r\nContent-Type: text/html\r\n\r\n<p>Caf&eacute; at noon</p>\r\n--inner--\r\n" +
	"--outer\r\nContent-Type: application/pdf; name=\"agenda.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n" +
	"--outer\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"map.png\"\r\n\r\nPNG\r\n--outer--\r\n"

func TestInspect(t *testing.T) {
	in := Inspect([]byte(nested), 1024)
	if in.Err != nil {
		t.Fatal(in.Err)
	}
	if in.Text != "Café at noon" || !strings.Contains(in.HTML, "<p>") {
		t.Errorf("text %q html %q", in.Text, in.HTML)
	}
	want := []Part{{"text/plain", "", 13, false}, {"text/html", "", 26, false},
		{"application/pdf", "agenda.pdf", 5, true}, {"image/png", "map.png", 3, true}}
	if len(in.Parts) != len(want) {
		t.Fatalf("parts = %+v", in.Parts)
	}
	for i, p := range want {
		if in.Parts[i] != p {
			t.Errorf("part %d = %+v, want %+v", i, in.Parts[i], p)
		}
	}
	if bad := RejectedTypes("text/*,image/*", in); len(bad) != 1 || bad[0] != "application/pdf" {
		t.Errorf("rejected = %v", bad)
	}
}

func TestInspectPlainAndLimits(t *testing.T) {
	in := Inspect([]byte("Subject: x\r\n\r\n"+strings.Repeat("a", 100)), 10)
	if in.Err != nil || in.Text != strings.Repeat("a", 10) || in.Parts[0].Size != 100 || in.Parts[0].Type != "text/plain" {
		t.Errorf("plain: %+v", in)
	}
	if in := Inspect([]byte("Subject: x\r\n"+nest(maxDepth)), 10); in.Err != nil || in.Text != "leaf" {
		t.Errorf("a well-formed tree %d deep: %+v", maxDepth, in)
	}
	if in := Inspect([]byte("Subject: x\r\n"+nest(maxDepth+1)), 10); in.Err != errTooComplex {
		t.Errorf("a tree %d deep: err %v, want %v", maxDepth+1, in.Err, errTooComplex)
	}
	if in := Inspect([]byte("no header at all"), 10); in.Err == nil {
		t.Error("a message without a header was inspected")
	}
}

// nest makes a part of n nested multiparts around one text part.
func nest(n int) string {
	if n == 0 {
		return "Content-Type: text/plain\r\n\r\nleaf"
	}
	b := fmt.Sprintf("b%d", n)
	return "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n" + nest(n-1) + "\r\n--" + b + "--\r\n"
}
