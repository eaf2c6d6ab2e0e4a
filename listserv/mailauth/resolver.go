// Package mailauth authenticates inbound posts (SPF, DKIM, DMARC; RFC
// 7208, 6376, 7489) so that nobody posts as a member they are not, and
// looks up the DMARC policies that outbound mitigation follows. DNS goes
// through Resolver, which *net.Resolver implements: tests point one at a
// local DNS server.
package mailauth

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"
)

// Resolver is the DNS the checks use (*net.Resolver; spf.DNSResolver).
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Policies looks up DMARC records with the organisational-domain fallback
// (RFC 7489 section 6.6.3) and caches answers, found or not, for an hour.
type Policies struct {
	r   Resolver
	ttl time.Duration
	now func() time.Time

	mu    sync.Mutex
	cache map[string]policyEntry
}

type policyEntry struct {
	rec *dmarc.Record
	err error
	at  time.Time
}

// NewPolicies asks r.
func NewPolicies(r Resolver) *Policies {
	return &Policies{r: r, ttl: time.Hour, now: time.Now, cache: map[string]policyEntry{}}
}

// ErrTemporary: DNS did not answer; try again later.
var ErrTemporary = errors.New("DNS lookup failed temporarily")

// Lookup returns the DMARC record that governs domain (its own, else its
// organisational domain's, whose sp= then applies): nil, nil when none.
// The policy to apply is EffectivePolicy.
func (p *Policies) Lookup(ctx context.Context, domain string) (*dmarc.Record, bool, error) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	rec, err := p.lookupOne(ctx, domain)
	if rec != nil || err != nil {
		return rec, false, err
	}
	org := OrgDomain(domain)
	if org == domain {
		return nil, false, nil
	}
	rec, err = p.lookupOne(ctx, org)
	return rec, rec != nil, err
}

// EffectivePolicy is p=, or sp= when the record is the organisational
// domain's and has one.
func EffectivePolicy(rec *dmarc.Record, inherited bool) dmarc.Policy {
	if rec == nil {
		return dmarc.PolicyNone
	}
	if inherited && rec.SubdomainPolicy != "" {
		return rec.SubdomainPolicy
	}
	return rec.Policy
}

func (p *Policies) lookupOne(ctx context.Context, domain string) (*dmarc.Record, error) {
	now := p.now()
	p.mu.Lock()
	e, ok := p.cache[domain]
	p.mu.Unlock()
	if ok && now.Sub(e.at) < p.ttl {
		return e.rec, e.err
	}
	rec, err := dmarc.LookupWithOptions(domain, &dmarc.LookupOptions{LookupTXT: p.txt(ctx)})
	switch {
	case errors.Is(err, dmarc.ErrNoPolicy):
		rec, err = nil, nil
	case err != nil && dmarc.IsTempFail(err):
		return nil, ErrTemporary // not cached
	case err != nil:
		rec, err = nil, nil // a broken record is no policy (RFC 7489 section 6.6.3)
	}
	p.mu.Lock()
	p.cache[domain] = policyEntry{rec: rec, err: err, at: now}
	p.mu.Unlock()
	return rec, err
}

// txt adapts the resolver to go-msgauth's LookupTXT.
func (p *Policies) txt(ctx context.Context) func(string) ([]string, error) {
	return lookupTXT(ctx, p.r)
}

func lookupTXT(ctx context.Context, r Resolver) func(string) ([]string, error) {
	return func(name string) ([]string, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return r.LookupTXT(ctx, name)
	}
}

// OrgDomain is the registrable domain (example.ac.uk for
// dept.example.ac.uk), by the public suffix list.
func OrgDomain(domain string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(domain))
	if err != nil {
		return strings.ToLower(domain)
	}
	return org
}

// Aligned reports whether an authenticated domain aligns with the From
// domain: the same organisational domain (relaxed) or the same name
// (strict), RFC 7489 section 3.1.
func Aligned(authDomain, fromDomain string, mode dmarc.AlignmentMode) bool {
	a, f := strings.ToLower(strings.TrimSuffix(authDomain, ".")), strings.ToLower(fromDomain)
	if a == "" {
		return false
	}
	if mode == dmarc.AlignmentStrict {
		return a == f
	}
	return OrgDomain(a) == OrgDomain(f)
}
