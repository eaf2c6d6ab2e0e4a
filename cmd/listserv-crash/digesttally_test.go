package main

import "testing"

// TestDigestTally: the closing tally finds a post in two digests and a
// member without a post, and counts a digest copied twice as a duplicate.
func TestDigestTally(t *testing.T) {
	s := &sink{counts: tally{}, digests: map[string][]string{}}
	d1 := "Message-ID: <digest.1.1-2.1@lists.example.org>\r\n\r\nMessage-ID: <a@harness.example>\r\n" +
		"Message-ID: <b@harness.example>\r\nMessage-ID: <a@harness.example>\r\n"
	d2 := "Message-ID: <digest.1.2-3.1@lists.example.org>\r\n\r\nMessage-ID: <b@harness.example>\r\n"
	for _, raw := range []string{d1, d1, d2} {
		if err := s.data("list@x", []string{"M@example.net"}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	if got := digestPosts([]byte(d1)); len(got) != 2 || got[0] != "a@harness.example" || got[1] != "b@harness.example" {
		t.Fatalf("digestPosts = %q, want a and b once each", got)
	}
	v := s.digestsOf()
	if v.digests != 2 || v.copies != 3 || v.duplicates != 1 {
		t.Fatalf("digests=%d copies=%d duplicates=%d, want 2, 3, 1", v.digests, v.copies, v.duplicates)
	}
	if n, sample := v.twice(5); n != 1 {
		t.Fatalf("twice = %d %q, want post b in two digests", n, sample)
	}
	if n, _ := v.missing([]string{"a@harness.example", "c@harness.example"}, []string{"m@example.net"}, 5); n != 1 {
		t.Fatalf("missing = %d, want 1 (post c)", n)
	}
}
