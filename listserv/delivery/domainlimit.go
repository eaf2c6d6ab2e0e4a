package delivery

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limit bounds the copies sent to one recipient domain, so a big list does
// not trip a provider's throttle (Gmail, Outlook and Yahoo all defer or
// block senders that open many connections or send in bursts).
type Limit struct {
	// Conns is how many relay connections may carry copies to the domain
	// at once; 0 means no bound beyond the engine's workers.
	Conns int
	// Rate is copies per second to the domain; 0 means unlimited.
	Rate float64
}

// DomainLimits are the per-domain limits: Domains by exact name (lower
// case), Default for every other domain.
type DomainLimits struct {
	Default Limit
	Domains map[string]Limit
}

// DefaultDomainLimits are conservative figures for the big mailbox
// providers (their published bulk-sender guidance asks for gradual,
// steady sending) and no rate bound for everyone else, so a plain
// fan-out is as fast as the relay takes it.
func DefaultDomainLimits() DomainLimits {
	d := DomainLimits{Default: Limit{Conns: 20}, Domains: map[string]Limit{}}
	set := func(l Limit, names ...string) {
		for _, n := range names {
			d.Domains[n] = l
		}
	}
	set(Limit{Conns: 10, Rate: 50}, "gmail.com", "googlemail.com")
	set(Limit{Conns: 5, Rate: 20}, "outlook.com", "hotmail.com", "live.com", "msn.com", "hotmail.co.uk", "live.co.uk")
	set(Limit{Conns: 3, Rate: 10}, "yahoo.com", "ymail.com", "rocketmail.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "aol.com")
	return d
}

// For returns the limit for a domain.
func (d DomainLimits) For(domain string) Limit {
	if l, ok := d.Domains[domain]; ok {
		return l
	}
	return d.Default
}

// Set parses one override, DOMAIN=conns:N,rate:R/s (rate per s, m or h;
// "default" as the domain sets the limit for every unnamed domain), onto
// a copy of d's table, leaving the other domains as they were.
func (d *DomainLimits) Set(spec string) error {
	name, rest, ok := strings.Cut(strings.TrimSpace(spec), "=")
	name = strings.ToLower(strings.TrimSpace(name))
	if !ok || name == "" || rest == "" {
		return fmt.Errorf("domain limit %q: want DOMAIN=conns:N,rate:N/s", spec)
	}
	l := d.For(name)
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), ":")
		var err error
		switch k {
		case "conns":
			l.Conns, err = strconv.Atoi(v)
			if err == nil && l.Conns < 0 {
				err = fmt.Errorf("negative")
			}
		case "rate":
			l.Rate, err = parseRate(v)
		default:
			err = fmt.Errorf("unknown setting %q (conns, rate)", k)
		}
		if err != nil {
			return fmt.Errorf("domain limit %q: %s: %w", spec, part, err)
		}
	}
	if name == "default" {
		d.Default = l
		return nil
	}
	d.Domains = maps.Clone(d.Domains)
	if d.Domains == nil {
		d.Domains = map[string]Limit{}
	}
	d.Domains[name] = l
	return nil
}

// parseRate reads N/s, N/m or N/h (N alone is per second; 0 is unlimited).
func parseRate(v string) (float64, error) {
	num, unit, _ := strings.Cut(v, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("rate %q: want N/s, N/m or N/h", v)
	}
	per := map[string]time.Duration{"": time.Second, "s": time.Second, "m": time.Minute, "h": time.Hour}[unit]
	if per == 0 {
		return 0, fmt.Errorf("rate %q: unit must be s, m or h", v)
	}
	return n / per.Seconds(), nil
}

// String lists the table, for logs and --help.
func (d DomainLimits) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "default=%s", d.Default)
	for _, n := range slices.Sorted(maps.Keys(d.Domains)) {
		fmt.Fprintf(&b, " %s=%s", n, d.Domains[n])
	}
	return b.String()
}

func (l Limit) String() string {
	return "conns:" + strconv.Itoa(l.Conns) + ",rate:" + strconv.FormatFloat(l.Rate, 'g', -1, 64) + "/s"
}
