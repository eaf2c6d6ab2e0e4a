package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/dkimsign"
	"github.com/demnet-uk/listserv/listserv/doctor"
	"github.com/demnet-uk/listserv/listserv/mailauth"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// errProblems: doctor found something to fix (exit 2).
var errProblems = errors.New("problems found")

// doctorCmd checks each list domain's DNS, keys and relay and prints a
// line per check; exit 2 when any is a problem.
func doctorCmd(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("doctor")
	dnsAddr := f.str("dns", "LISTSERV_DNS", "", "ask this DNS server (host:port) instead of the system's")
	relay := f.str("relay", "LISTSERV_RELAY", "capture", "the relay serve uses, to check it answers")
	hostname := f.str("hostname", "LISTSERV_HOSTNAME", "localhost", "serve's --hostname (the HELO name; suggested as MX)")
	sendIP := f.str("sending-ip", "LISTSERV_SENDING_IP", "", "the public address mail leaves from, for SPF and reverse DNS")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return fmt.Errorf("%w: unexpected %q after DOMAIN", errUsage, pos[1])
	}
	if *sendIP != "" && net.ParseIP(*sendIP) == nil {
		return fmt.Errorf("%w: --sending-ip %q is not an IP address", admin.ErrInvalid, *sendIP)
	}
	var res mailauth.Resolver = net.DefaultResolver
	if *dnsAddr != "" {
		if _, _, err := net.SplitHostPort(*dnsAddr); err != nil {
			return fmt.Errorf("%w: --dns %q: want host:port, e.g. 127.0.0.1:53", admin.ErrInvalid, *dnsAddr)
		}
		res = resolverAt(*dnsAddr)
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	domains := pos
	if len(domains) == 0 {
		if domains, err = listDomains(ctx, db); err != nil {
			return err
		}
	}
	keys := dkimsign.NewKeyring(db)
	problems := 0
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if !domainRE.MatchString(d) {
			return fmt.Errorf("%w: %q is not a domain name (like lists.example.org)", admin.ErrInvalid, d)
		}
		ks, err := keys.Keys(ctx, d)
		if err != nil {
			return err
		}
		rs := doctor.Run(ctx, doctor.Options{Domain: d, Resolver: res, Keys: ks, Relay: *relay, Hostname: *hostname, SendingIP: *sendIP})
		printDoctor(stdout, d, rs)
		problems += doctor.Problems(rs)
	}
	if problems > 0 {
		return fmt.Errorf("%w: %d to fix (see above)", errProblems, problems)
	}
	return nil
}

func printDoctor(w io.Writer, domain string, rs []doctor.Result) {
	fmt.Fprintf(w, "%s\n", domain)
	for _, r := range rs {
		fmt.Fprintf(w, "  %-8s %-12s %s\n", r.Status, r.Check, r.Text)
		if r.Fix != "" {
			fmt.Fprintf(w, "  %-8s %-12s %s\n", "", "fix:", strings.ReplaceAll(r.Fix, "\n", "\n"+strings.Repeat(" ", 24)))
		}
	}
}

// listDomains are the domains of the store's lists, each once.
func listDomains(ctx context.Context, db *sqldb.DB) ([]string, error) {
	ls, err := db.AllLists(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range ls {
		if d := l.Domain(); !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no lists yet; name the domain: listserv doctor DOMAIN", errUsage)
	}
	return out, nil
}

// resolverAt asks only the DNS server at addr.
func resolverAt(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}
