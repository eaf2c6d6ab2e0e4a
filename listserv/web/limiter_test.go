package web

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	l := newLimiter(2, time.Minute, 3)
	t0 := time.Unix(1000, 0)
	first, second, third := l.allow("a", t0), l.allow("a", t0), l.allow("a", t0.Add(59*time.Second))
	if !first || !second || third {
		t.Errorf("hits in one minute allowed: %v %v %v, want two of three", first, second, third)
	}
	if !l.allow("a", t0.Add(time.Minute)) {
		t.Error("a new window did not start")
	}
	// Full of live keys: the table is forgotten rather than refusing b..d.
	for _, k := range []string{"b", "c", "d"} {
		if !l.allow(k, t0.Add(time.Minute)) {
			t.Errorf("new key %s refused", k)
		}
	}
	if len(l.hits) > 3 {
		t.Errorf("%d keys kept, want at most 3", len(l.hits))
	}
	if got := limitKey("2001:db8:1:2:3:4:5:6"); got != "2001:db8:1:2::/64" {
		t.Errorf("limitKey IPv6 = %q", got)
	}
	if got := limitKey("192.0.2.7"); got != "192.0.2.7" {
		t.Errorf("limitKey IPv4 = %q", got)
	}
}
