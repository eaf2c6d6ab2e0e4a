package moderation

import "testing"

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text string
		want Command
		ok   bool
	}{
		{"approve\r\n\r\n> quoted\r\n", Command{Action: Approve}, true},
		{"\r\n  Approve.\r\n", Command{Action: Approve}, true},
		{"REJECT   off topic,  sorry\r\nmore", Command{Action: Reject, Reason: "off topic, sorry"}, true},
		{"reject\r\n", Command{Action: Reject}, true},
		{"discard", Command{Action: Discard}, true},
		{"I approve\r\n", Command{}, false},
		{"> approve\r\n", Command{}, false},
		{"", Command{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseCommand(tt.text)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReplyTextFromHTML(t *testing.T) {
	raw := "From: m@x.example\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<div>reject <b>spam</b></div><div><br></div><blockquote>approve</blockquote>"
	got, ok := ParseCommand(replyText([]byte(raw)))
	if !ok || got.Action != Reject || got.Reason != "spam" {
		t.Errorf("HTML-only reply read as %+v, %v", got, ok)
	}
}
