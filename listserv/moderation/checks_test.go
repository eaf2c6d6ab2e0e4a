package moderation

import (
	"testing"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

func TestAdministrivia(t *testing.T) {
	tests := []struct {
		subject, text string
		want          bool
	}{
		{"unsubscribe", "", true},
		{"UNSUBSCRIBE!", "", true},
		{"Re: [team] Unsubscribe", "", true},
		{"Fwd: RE: subscribe", "", true},
		{"Please remove me from this list", "", true},
		{"Hello", "unsubscribe\n", true},
		{"Hello", "\n\nPlease unsubscribe me.\nThanks\n", true},
		{"Hello", "Take me off the mailing list please\n", true},
		{"Hello", "Hi all,\nsign off\n", true},
		{"Unsubscribe links in newsletters", "", false},
		{"Should we subscribe to the journal?", "", false},
		{"Meeting", "I'd subscribe to that view.\nunsubscribing is hard\n", false},
		{"Meeting", "> unsubscribe\nI disagree with the quoted person.\n", false},
		{"Meeting", "one\ntwo\nthree\nfour\nfive\nunsubscribe\n", false}, // only the first lines count
		{"Meeting", "text\n--\nunsubscribe\n", false},                    // signatures do not count
		{"", "", false},
	}
	for _, tt := range tests {
		if got := Administrivia(tt.subject, tt.text); got != tt.want {
			t.Errorf("Administrivia(%q, %q) = %v, want %v", tt.subject, tt.text, got, tt.want)
		}
	}
}

func TestCountRecipients(t *testing.T) {
	for fields, want := range map[string]int{
		"To: team@example.org\r\n": 1,
		"To: a@x.example, \"B, Bee\" <b@x.example>\r\nCc: c@x.example\r\n":       3,
		"To: a@x.example\r\nCc: b@x.example\r\nCc: c@x.example, d@x.example\r\n": 4,
		"To: broken <a@x.example, b@x.example\r\n":                               2, // unparsable: @ signs count
		"Subject: no recipients\r\n":                                             0,
	} {
		h, _, err := mailhdr.Split([]byte(fields + "\r\nbody\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := CountRecipients(h); got != want {
			t.Errorf("CountRecipients(%q) = %d, want %d", fields, got, want)
		}
	}
}

func TestAcceptTypes(t *testing.T) {
	got, err := ParseAcceptTypes(" Text/* , image/png,,")
	if err != nil || got != "text/*,image/png" {
		t.Fatalf("ParseAcceptTypes = %q, %v", got, err)
	}
	for _, bad := range []string{"text", "/plain", "text/", "*/plain", "text/plain; charset=x", "a b/c"} {
		if _, err := ParseAcceptTypes(bad); err == nil {
			t.Errorf("ParseAcceptTypes(%q) accepted", bad)
		}
	}
	for typ, want := range map[string]bool{"text/plain": true, "text/html": true, "image/png": true, "image/gif": false, "application/pdf": false} {
		if TypeAccepted(got, typ) != want {
			t.Errorf("TypeAccepted(%q, %q) = %v", got, typ, !want)
		}
	}
	if !TypeAccepted("", "application/x-anything") || !TypeAccepted("*/*", "video/mp4") {
		t.Error("an empty list or */* must accept everything")
	}
}
