package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/demnet-uk/listserv/listserv/delivery"
)

// domainLimitFlag collects --domain-limit DOMAIN=conns:N,rate:N/s, given
// as often as needed; LISTSERV_DOMAIN_LIMITS holds the same separated by
// spaces or semicolons and comes first, so flags override it.
type domainLimitFlag struct{ specs []string }

func (d *domainLimitFlag) String() string { return strings.Join(d.specs, " ") }

func (d *domainLimitFlag) Set(v string) error {
	d.specs = append(d.specs, v)
	return nil
}

// domainLimitFlags declares --domain-limit and --domain-pause on f and
// returns what applies them to the delivery config after parsing.
func domainLimitFlags(f *flagSet) func(*delivery.Config) error {
	dl := &domainLimitFlag{}
	if env := os.Getenv("LISTSERV_DOMAIN_LIMITS"); env != "" {
		dl.specs = strings.FieldsFunc(env, func(r rune) bool { return r == ';' || r == ' ' })
	}
	f.Var(dl, "domain-limit", "per recipient domain: DOMAIN=conns:N,rate:N/s (or /m, /h; 0 = no bound; DOMAIN \"default\" for all others); repeatable. Built in: "+
		delivery.DefaultDomainLimits().String()+" ($LISTSERV_DOMAIN_LIMITS, separated by ;)")
	pause := f.str("domain-pause", "LISTSERV_DOMAIN_PAUSE", "1m", "how long a domain that says it throttles us (421, a 4.7.x code, 452 4.3.1) is left alone (doubles per deferral, up to 30 times as long)")
	return func(cfg *delivery.Config) error {
		for _, s := range dl.specs {
			if err := cfg.Domains.Set(s); err != nil {
				return fmt.Errorf("%w: --domain-limit: %w", errUsage, err)
			}
		}
		p := parser{}
		cfg.DomainPause = p.dur("domain-pause", *pause)
		cfg.DomainPauseMax = 30 * cfg.DomainPause
		return p.err
	}
}
