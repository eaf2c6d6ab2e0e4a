package main

import (
	"fmt"
	"sort"
	"strings"
)

// tally is the sink's record: Message-ID -> recipient -> copies accepted.
type tally map[string]map[string]int

// missing lists, for the posts ids, the members that have no copy yet
// (at most limit entries, "post -> member").
func (t tally) missing(ids []string, members []string, limit int) (n int, sample []string) {
	for _, id := range ids {
		got := t[id]
		for _, m := range members {
			if got[m] == 0 {
				n++
				if len(sample) < limit {
					sample = append(sample, id+" -> "+m)
				}
			}
		}
	}
	return n, sample
}

// complete says whether every post in ids reached every member.
func (t tally) complete(ids []string, members []string) bool {
	n, _ := t.missing(ids, members, 0)
	return n == 0
}

// duplicates counts copies beyond the first per post and recipient, over
// the posts whose Message-ID starts with prefix.
func (t tally) duplicates(prefix string) int {
	n := 0
	for id, m := range t {
		if !strings.HasPrefix(id, prefix) {
			continue
		}
		for _, c := range m {
			if c > 1 {
				n += c - 1
			}
		}
	}
	return n
}

// dupDetail lists up to limit "post -> member xN" entries with N > 1.
func (t tally) dupDetail(prefix string, limit int) []string {
	var out []string
	for id, m := range t {
		if !strings.HasPrefix(id, prefix) {
			continue
		}
		for r, c := range m {
			if c > 1 {
				out = append(out, fmt.Sprintf("%s -> %s x%d", id, r, c))
			}
		}
	}
	sort.Strings(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
