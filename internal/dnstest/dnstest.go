// Package dnstest is a tiny authoritative DNS server on 127.0.0.1 (UDP and
// TCP, miekg/dns) for tests of SPF, DKIM, DMARC and doctor: real sockets
// and a real resolver, answers from a table the test fills.
package dnstest

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Zone is what the server answers, by lower-case name without the dot.
type Zone struct {
	mu   sync.Mutex
	TXT  map[string][]string
	MX   map[string][]*net.MX
	A    map[string][]string // IPv4 or IPv6 addresses
	PTR  map[string][]string // by IP address text
	Fail map[string]bool     // names answered SERVFAIL
	asks map[string]int
}

// Server is a running DNS server.
type Server struct {
	Addr string
	Zone *Zone
}

// Start serves an empty zone until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	z := &Zone{TXT: map[string][]string{}, MX: map[string][]*net.MX{}, A: map[string][]string{},
		PTR: map[string][]string{}, Fail: map[string]bool{}, asks: map[string]int{}}
	pc, ln, err := listenPair()
	if err != nil {
		t.Fatal(err)
	}
	udp := &dns.Server{PacketConn: pc, Handler: z}
	tcp := &dns.Server{Listener: ln, Handler: z}
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	t.Cleanup(func() { udp.Shutdown(); tcp.Shutdown() })
	return &Server{Addr: pc.LocalAddr().String(), Zone: z}
}

// Resolver asks only this server (the Go resolver, over real sockets).
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, s.Addr)
	}}
}

// SetTXT sets name's TXT record(s).
func (s *Server) SetTXT(name string, values ...string) {
	s.Zone.mu.Lock()
	defer s.Zone.mu.Unlock()
	s.Zone.TXT[key(name)] = values
}

// Asked is how many questions about name arrived (any type).
func (s *Server) Asked(name string) int {
	s.Zone.mu.Lock()
	defer s.Zone.mu.Unlock()
	return s.Zone.asks[key(name)]
}

func key(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// ServeDNS answers from the table; unknown names are NXDOMAIN.
func (z *Zone) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, q := range r.Question {
		name := key(q.Name)
		z.asks[name]++
		if z.Fail[name] {
			m.Rcode = dns.RcodeServerFailure
			continue
		}
		rrs, known := z.answer(q)
		m.Answer = append(m.Answer, rrs...)
		if !known {
			m.Rcode = dns.RcodeNameError
		}
	}
	w.WriteMsg(m)
}

// answer returns the records for q and whether the name exists at all.
func (z *Zone) answer(q dns.Question) ([]dns.RR, bool) {
	name := key(q.Name)
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 60}
	}
	var out []dns.RR
	switch q.Qtype {
	case dns.TypeTXT:
		for _, v := range z.TXT[name] {
			out = append(out, &dns.TXT{Hdr: hdr(dns.TypeTXT), Txt: split(v)})
		}
	case dns.TypeMX:
		for _, mx := range z.MX[name] {
			out = append(out, &dns.MX{Hdr: hdr(dns.TypeMX), Preference: mx.Pref, Mx: dns.Fqdn(mx.Host)})
		}
	case dns.TypeA, dns.TypeAAAA:
		for _, a := range z.A[name] {
			ip := net.ParseIP(a)
			if ip4 := ip.To4(); ip4 != nil && q.Qtype == dns.TypeA {
				out = append(out, &dns.A{Hdr: hdr(dns.TypeA), A: ip4})
			} else if ip4 == nil && ip != nil && q.Qtype == dns.TypeAAAA {
				out = append(out, &dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: ip})
			}
		}
	case dns.TypePTR:
		if ip, ok := ptrIP(name); ok {
			for _, h := range z.PTR[ip] {
				out = append(out, &dns.PTR{Hdr: hdr(dns.TypePTR), Ptr: dns.Fqdn(h)})
			}
		}
	}
	return out, len(out) > 0 || z.exists(name)
}

func (z *Zone) exists(name string) bool {
	_, t := z.TXT[name]
	_, m := z.MX[name]
	_, a := z.A[name]
	if ip, ok := ptrIP(name); ok {
		_, p := z.PTR[ip]
		return t || m || a || p
	}
	return t || m || a
}

// ptrIP turns 4.3.2.1.in-addr.arpa into 1.2.3.4 (IPv4 only).
func ptrIP(name string) (string, bool) {
	rest, ok := strings.CutSuffix(name, ".in-addr.arpa")
	if !ok {
		return "", false
	}
	p := strings.Split(rest, ".")
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
	return strings.Join(p, "."), true
}

// split cuts a TXT value into strings of at most 255 octets.
func split(v string) []string {
	var out []string
	for len(v) > 255 {
		out = append(out, v[:255])
		v = v[255:]
	}
	return append(out, v)
}

// SetMX sets name's MX records.
func (s *Server) SetMX(name string, mxs ...*net.MX) {
	s.Zone.mu.Lock()
	defer s.Zone.mu.Unlock()
	s.Zone.MX[key(name)] = mxs
}

// SetA sets name's addresses (A and AAAA).
func (s *Server) SetA(name string, ips ...string) {
	s.Zone.mu.Lock()
	defer s.Zone.mu.Unlock()
	s.Zone.A[key(name)] = ips
}

// SetPTR sets the names of an IPv4 address.
func (s *Server) SetPTR(ip string, names ...string) {
	s.Zone.mu.Lock()
	defer s.Zone.mu.Unlock()
	s.Zone.PTR[ip] = names
}

// SetFail makes questions about name SERVFAIL (a temporary error).
func (s *Server) SetFail(name string) {
	s.Zone.mu.Lock()
	defer s.Zone.mu.Unlock()
	s.Zone.Fail[key(name)] = true
}

// listenPair binds UDP and TCP on one loopback port. The free UDP port the
// kernel picks may be taken for TCP by another test's socket, so a few
// ports are tried.
func listenPair() (net.PacketConn, net.Listener, error) {
	var err error
	for range 20 {
		var pc net.PacketConn
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			return nil, nil, err
		}
		var ln net.Listener
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			return pc, ln, nil
		}
		pc.Close()
	}
	return nil, nil, fmt.Errorf("no loopback port free for both UDP and TCP: %w", err)
}
