package pipeline

import "testing"

func TestIsDigestReply(t *testing.T) {
	tests := []struct {
		subject, text string
		want          bool
	}{
		{"Re: [Team Talk] Daily digest, Monday 7 December 2026 (12 messages)", "I agree", true},
		{"RE: AW: [Team Talk] Weekly digest, Monday 7 December 2026 (3 messages)", "", true},
		{"Re: ideas for the weekly newsletter", "", false},
		{"Re: Plans for Tuesday", "Sounds good.\n\n> Plans", false},
		{"Daily digest, Monday", "a new post about digests", false},
		{"Hello", "Yes!\n\n> Team Talk Daily digest, Monday 7 December 2026\n> Topics:", true},
	}
	for _, tc := range tests {
		if got := isDigestReply(tc.subject, tc.text); got != tc.want {
			t.Errorf("isDigestReply(%q, %q) = %v, want %v", tc.subject, tc.text, got, tc.want)
		}
	}
}
