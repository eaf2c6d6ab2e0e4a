package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// This file decides who the client is: the TCP peer, or, only when the
// peer is a proxy the operator named (--trusted-proxies), the address that
// proxy reports in X-Forwarded-For. Anyone else could forge that header.

// ParseTrustedProxies reads a comma-separated list of IPs and CIDRs.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

type clientKey struct{}

// peerAddr is the TCP peer of r; ok false when RemoteAddr is not an IP
// (a test's fake request).
func peerAddr(r *http.Request) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(r.RemoteAddr)
	return a.Unmap(), err == nil
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.trustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client finds the client's address: the peer, or walking X-Forwarded-For
// from the right past trusted proxies, the first hop not trusted.
func (s *Server) client(r *http.Request) string {
	peer, ok := peerAddr(r)
	if !ok {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		return host
	}
	hop := peer
	if !s.trusted(hop) {
		return hop.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0 && s.trusted(hop); i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage from beyond the trusted proxies: keep the last hop we trust
		}
		hop = a.Unmap()
	}
	return hop.String()
}

// identifyClient works out the client's address once per request.
func (s *Server) identifyClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, s.client(r))))
	})
}

// clientIP is the evidence and throttle key for web requests.
func clientIP(r *http.Request) string {
	if c, ok := r.Context().Value(clientKey{}).(string); ok {
		return c
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// operatorPeer reports whether r comes straight from this machine: a
// loopback peer that is not a trusted proxy and carries no forwarding
// header. A reverse proxy on the same host makes every visitor look like
// loopback, which is why a forwarded request never counts.
func (s *Server) operatorPeer(r *http.Request) bool {
	peer, ok := peerAddr(r)
	if !ok || !peer.IsLoopback() || s.trusted(peer) {
		return false
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Forwarded-Host"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	return true
}
