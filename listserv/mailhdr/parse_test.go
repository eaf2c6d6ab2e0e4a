package mailhdr

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	raw := "Return-Path: <ann@example.org>\r\n" +
		"From: =?ISO-8859-1?Q?Andr=E9?= Example <Andre@Example.ORG>, other@example.org\r\n" +
		"To: team@lists.example.org\r\n" +
		"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_?=\r\n =?UTF-8?B?S8O2bG4=?= and =?ISO-8859-1?Q?caf=E9?=\r\n" +
		"Message-ID: <abc.123@mail.example.org>\r\n" +
		"In-Reply-To: <parent@example.org> (Ann's message)\r\n" +
		"References: <root@example.org>\r\n <mid@example.org>\r\n\t<parent@example.org>\r\n" +
		"Date: Tue, 2 Jan 2024 10:11:12 +0100\r\n" +
		"\r\n" +
		"body =?UTF-8?Q?not_decoded?=\r\n"
	p, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Grüße aus Köln and café"; p.Subject != want {
		t.Errorf("Subject %q, want %q", p.Subject, want)
	}
	if p.From != "andre@example.org" || p.FromName != "André Example" {
		t.Errorf("From %q name %q", p.From, p.FromName)
	}
	if p.MessageID != "abc.123@mail.example.org" {
		t.Errorf("MessageID %q", p.MessageID)
	}
	if p.InReplyTo != "parent@example.org" {
		t.Errorf("InReplyTo %q", p.InReplyTo)
	}
	if want := []string{"root@example.org", "mid@example.org", "parent@example.org"}; !reflect.DeepEqual(p.References, want) {
		t.Errorf("References %q, want %q", p.References, want)
	}
	if want := time.Date(2024, 1, 2, 9, 11, 12, 0, time.UTC); !p.Date.Equal(want) {
		t.Errorf("Date %v, want %v", p.Date, want)
	}
	if string(p.Body) != "body =?UTF-8?Q?not_decoded?=\r\n" {
		t.Errorf("Body %q", p.Body)
	}
	if len(p.Header) != 8 || p.Header.Get("To") != "team@lists.example.org" {
		t.Errorf("Header %q", names(p.Header))
	}
}

func TestParseCases(t *testing.T) {
	tests := []struct {
		name, raw    string
		subject      string
		from, name2  string
		msgID        string
		refs         []string
		inReplyTo    string
		wantErr      error
		wantZeroDate bool
	}{
		{
			name:    "quoted display name, LF only",
			raw:     "From: \"Ann Example\" <ANN@example.org>\nSubject: plain\nMessage-Id: <x@y>\n\nb\n",
			subject: "plain", from: "ann@example.org", name2: "Ann Example", msgID: "x@y",
			wantZeroDate: true,
		},
		{
			name:    "UTF-8 base64 subject",
			raw:     "Subject: =?UTF-8?B?8J+YgCBzbWlsZQ==?=\r\nFrom: a@example.org\r\n\r\n",
			subject: "\U0001F600 smile", from: "a@example.org", wantZeroDate: true,
		},
		{
			name:    "unknown charset keeps the raw subject",
			raw:     "Subject: =?x-no-such-charset?q?abc?=\r\nFrom: a@example.org\r\n\r\n",
			subject: "=?x-no-such-charset?q?abc?=", from: "a@example.org", wantZeroDate: true,
		},
		{
			name:    "ISO-8859-1 subject",
			raw:     "Subject: =?iso-8859-1?q?=C0_bient=F4t?=\r\nFrom: <b@example.org>\r\n\r\n",
			subject: "À bientôt", from: "b@example.org", wantZeroDate: true,
		},
		{
			name:    "broken From is left empty",
			raw:     "From: not an address\r\nSubject: x\r\nMessage-ID: <m@x>\r\n\r\n",
			subject: "x", msgID: "m@x", wantZeroDate: true,
		},
		{
			// go-message stops at the first malformed id: the ones before
			// it are kept, the field is not refused.
			name:    "references with a comma between ids",
			raw:     "From: a@example.org\r\nReferences: <a@x> <b@x>, <c@x>\r\n\r\n",
			from:    "a@example.org",
			refs:    []string{"a@x", "b@x"},
			subject: "", wantZeroDate: true,
		},
		{
			name:    "one field name Split accepts but textproto refuses",
			raw:     "From: a@example.org\r\nX-Gr\xc3\xbc\xc3\x9fe: 1\r\nquite Delivered-To: x\r\n\vX-Odd: 2\r\nSubject: kept\r\nMessage-ID: <m@x>\r\n\r\n",
			from:    "a@example.org",
			subject: "kept", msgID: "m@x", wantZeroDate: true,
		},
		{name: "no header", raw: "\r\nbody", wantErr: ErrNoHeader},
		{name: "mbox", raw: "From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n\n", wantErr: ErrNoHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.raw))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || p != nil {
					t.Fatalf("Parse = %v, %v; want %v", p, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != tt.subject {
				t.Errorf("Subject %q, want %q", p.Subject, tt.subject)
			}
			if p.From != tt.from || p.FromName != tt.name2 {
				t.Errorf("From %q %q, want %q %q", p.From, p.FromName, tt.from, tt.name2)
			}
			if p.MessageID != tt.msgID {
				t.Errorf("MessageID %q, want %q", p.MessageID, tt.msgID)
			}
			if !reflect.DeepEqual(p.References, tt.refs) {
				t.Errorf("References %q, want %q", p.References, tt.refs)
			}
			if p.InReplyTo != tt.inReplyTo {
				t.Errorf("InReplyTo %q, want %q", p.InReplyTo, tt.inReplyTo)
			}
			if tt.wantZeroDate && !p.Date.IsZero() {
				t.Errorf("Date %v, want zero", p.Date)
			}
		})
	}
}
