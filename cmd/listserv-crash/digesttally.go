package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// postLine finds the harness's posts in a digest: each format lists a
// post's Message-ID on a line of its own (the text part of plain and
// html digests, the embedded message's header in mime ones).
var postLine = regexp.MustCompile(`(?m)^Message-ID: <([^<>\s]+@harness\.example)>`)

// digestPosts returns the harness posts a digest mail holds, once each.
func digestPosts(data []byte) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range postLine.FindAllSubmatch(data, -1) {
		if id := string(m[1]); !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// digestView is what digest members received: per member, per post, the
// distinct digests that held it; and copies beyond the first of a digest.
type digestView struct {
	had        map[string]map[string][]string // member -> post -> digest ids
	digests    int                            // distinct digests (digest id x member)
	copies     int                            // digest copies accepted
	duplicates int                            // copies beyond the first per digest and member
}

// digestsOf reads the sink's tally and contents for the digest mails.
func (s *sink) digestsOf() digestView {
	t := s.snapshot()
	s.mu.Lock()
	contents := make(map[string][]string, len(s.digests))
	for id, ps := range s.digests {
		contents[id] = ps
	}
	s.mu.Unlock()
	v := digestView{had: map[string]map[string][]string{}}
	for id, rcpts := range t {
		if !strings.HasPrefix(id, "digest.") {
			continue
		}
		for r, c := range rcpts {
			v.digests++
			v.copies += c
			v.duplicates += c - 1
			m := v.had[r]
			if m == nil {
				m = map[string][]string{}
				v.had[r] = m
			}
			for _, p := range contents[id] {
				m[p] = append(m[p], id)
			}
		}
	}
	return v
}

// missing lists member x post pairs with no digest holding the post.
func (v digestView) missing(posts, members []string, limit int) (n int, sample []string) {
	for _, m := range members {
		for _, p := range posts {
			if len(v.had[m][p]) == 0 {
				n++
				if len(sample) < limit {
					sample = append(sample, p+" -> "+m)
				}
			}
		}
	}
	return n, sample
}

// twice lists member x post pairs held by two different digests: a
// cursor that did not move with the queued mail. Never allowed.
func (v digestView) twice(limit int) (n int, sample []string) {
	for m, ps := range v.had {
		for p, ids := range ps {
			if len(ids) > 1 {
				n++
				if len(sample) < limit {
					sort.Strings(ids)
					sample = append(sample, fmt.Sprintf("%s -> %s in %s", p, m, strings.Join(ids, ", ")))
				}
			}
		}
	}
	sort.Strings(sample)
	return n, sample
}
