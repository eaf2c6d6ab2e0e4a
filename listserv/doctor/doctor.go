// Package doctor checks what a list domain needs for its mail to arrive:
// MX, SPF, DKIM (the stored keys against the published records), DMARC,
// the relay, and the sending address's reverse DNS. Each check gives one
// plain-English line and, for a problem, what to publish or change.
package doctor

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/dkimsign"
	"github.com/demnet-uk/listserv/listserv/mailauth"
)

// Status is a check's outcome.
type Status int

// Outcomes: OK, Problem (mail may not arrive or may be rejected), Skipped
// (not enough information to check).
const (
	OK Status = iota
	Problem
	Skipped
)

func (s Status) String() string {
	return [...]string{"ok", "PROBLEM", "skipped"}[s]
}

// Result is one check's finding.
type Result struct {
	Check  string // MX, SPF, DKIM, DMARC, relay, reverse DNS
	Status Status
	Text   string // what was found
	Fix    string // what to do about a problem (may be several lines)
}

// Options say what to check.
type Options struct {
	Domain   string            // the list domain (the part after @)
	Resolver mailauth.Resolver // DNS
	// Keys are the domain's signing keys (dkimsign.Keyring.Keys): the
	// newest of each algorithm, as used for signing.
	Keys []*dkimsign.Key
	// Relay is serve's --relay: smtp://host:port or smtps://...; empty or
	// "capture" is not checked.
	Relay    string
	Hostname string // serve's --hostname: our HELO name, and the MX to suggest
	// SendingIP is the address mail leaves from towards the world, when
	// known; SPF and reverse DNS are checked for it. Without it, SPF is
	// checked for the relay's addresses when the relay is not local.
	SendingIP string
	Timeout   time.Duration // per network step; default 10 s
}

// Run does every check in a fixed order.
func Run(ctx context.Context, o Options) []Result {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	c := &checker{o: o}
	return []Result{c.mx(ctx), c.spf(ctx), c.dkim(ctx), c.dmarc(ctx), c.relay(ctx), c.rdns(ctx)}
}

// Problems counts the results that are problems.
func Problems(rs []Result) int {
	n := 0
	for _, r := range rs {
		if r.Status == Problem {
			n++
		}
	}
	return n
}

type checker struct {
	o Options
}

func (c *checker) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.o.Timeout)
}

func ok(check, text string) Result { return Result{Check: check, Status: OK, Text: text} }

func problem(check, text, fix string) Result {
	return Result{Check: check, Status: Problem, Text: text, Fix: fix}
}

func skipped(check, text string) Result { return Result{Check: check, Status: Skipped, Text: text} }
