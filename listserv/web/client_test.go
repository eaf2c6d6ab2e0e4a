package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestClientAddress: X-Forwarded-For counts only from a trusted proxy, and
// then only as far back as the proxies are trusted.
func TestClientAddress(t *testing.T) {
	proxies, err := ParseTrustedProxies(" 127.0.0.1, 10.0.0.0/8 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"no proxies: loopback peer's header ignored", nil, "127.0.0.1:5000", []string{"198.51.100.9"}, "127.0.0.1"},
		{"untrusted peer's header ignored", proxies, "203.0.113.5:5000", []string{"198.51.100.9"}, "203.0.113.5"},
		{"trusted proxy names the client", proxies, "127.0.0.1:5000", []string{"198.51.100.9"}, "198.51.100.9"},
		{"chain of trusted proxies", proxies, "127.0.0.1:5000", []string{"198.51.100.9, 10.1.2.3"}, "198.51.100.9"},
		{"forged left entries skipped", proxies, "127.0.0.1:5000", []string{"1.2.3.4, 198.51.100.9"}, "198.51.100.9"},
		{"several header lines", proxies, "[::1]:5000", []string{"1.2.3.4", "198.51.100.9"}, "198.51.100.9"},
		{"garbage keeps the proxy", proxies, "127.0.0.1:5000", []string{"not-an-ip"}, "127.0.0.1"},
		{"no header", proxies, "127.0.0.1:5000", nil, "127.0.0.1"},
		{"loopback not in the list", proxies, "127.0.0.2:5000", []string{"198.51.100.9"}, "127.0.0.2"},
	} {
		s := &Server{trustedProxies: tc.trusted}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.client(r); got != tc.want {
			t.Errorf("%s: client = %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,proxy.example"); err == nil {
		t.Error("a host name was accepted as a trusted proxy")
	}
}
