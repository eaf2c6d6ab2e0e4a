package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-msgauth/dmarc"

	"github.com/demnet-uk/listserv/listserv/dkimsign"
	"github.com/demnet-uk/listserv/listserv/mailauth"
)

// notFound: the name or record does not exist (as opposed to DNS failing).
func notFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

func (c *checker) mx(ctx context.Context) Result {
	ctx, cancel := c.timeout(ctx)
	defer cancel()
	d := c.o.Domain
	mxs, err := c.o.Resolver.LookupMX(ctx, d)
	fix := fmt.Sprintf("publish an MX record pointing at this server, e.g.\n  %s. 3600 IN MX 10 %s.", d, c.mxHost())
	switch {
	case err != nil && !notFound(err):
		return problem("MX", "could not look up the MX of "+d+": "+err.Error(), "check that the domain's DNS servers answer")
	case len(mxs) == 0:
		return problem("MX", d+" has no MX record: posts and bounces to lists at "+d+" cannot reach the server", fix)
	}
	var names []string
	for _, mx := range mxs {
		host := strings.TrimSuffix(mx.Host, ".")
		if _, err := c.o.Resolver.LookupIPAddr(ctx, host); err != nil {
			return problem("MX", fmt.Sprintf("%s's MX %s has no address", d, host),
				fmt.Sprintf("publish an A (or AAAA) record for %s, or point the MX at a host that has one", host))
		}
		names = append(names, fmt.Sprintf("%s (preference %d)", host, mx.Pref))
	}
	return ok("MX", d+" receives mail at "+strings.Join(names, ", "))
}

func (c *checker) mxHost() string {
	if h := c.o.Hostname; h != "" && h != "localhost" {
		return h
	}
	return "mail." + c.o.Domain
}

// spfRecords returns the v=spf1 TXT records of the domain.
func (c *checker) spfRecords(ctx context.Context) ([]string, error) {
	txts, err := c.o.Resolver.LookupTXT(ctx, c.o.Domain)
	if err != nil && !notFound(err) {
		return nil, err
	}
	var out []string
	for _, t := range txts {
		if f := strings.Fields(strings.ToLower(t)); len(f) > 0 && f[0] == "v=spf1" {
			out = append(out, t)
		}
	}
	return out, nil
}

func (c *checker) spf(ctx context.Context) Result {
	ctx, cancel := c.timeout(ctx)
	defer cancel()
	d := c.o.Domain
	recs, err := c.spfRecords(ctx)
	ips, who := c.senders(ctx)
	suggest := "v=spf1 mx -all"
	if len(ips) > 0 {
		suggest = "v=spf1 " + mechanism(ips[0]) + " mx -all"
	}
	fix := fmt.Sprintf("publish one SPF record naming the address mail leaves from, e.g.\n  %s. 3600 IN TXT \"%s\"", d, suggest)
	switch {
	case err != nil:
		return problem("SPF", "could not look up the SPF record of "+d+": "+err.Error(), "check that the domain's DNS servers answer")
	case len(recs) == 0:
		return problem("SPF", d+" publishes no SPF record: receivers cannot tell our mail from forgeries, and Gmail and Yahoo require one from bulk senders", fix)
	case len(recs) > 1:
		return problem("SPF", fmt.Sprintf("%s publishes %d SPF records; receivers treat that as an error (RFC 7208 section 4.5)", d, len(recs)),
			"merge them into one record")
	case len(ips) == 0:
		return ok("SPF", fmt.Sprintf("%s publishes %q (not evaluated: give --sending-ip, the address mail leaves from)", d, recs[0]))
	}
	for _, ip := range ips {
		res, _ := spf.CheckHostWithSender(ip, c.mxHost(), "postmaster@"+d, spf.WithResolver(c.o.Resolver), spf.WithContext(ctx))
		if res != spf.Pass {
			return problem("SPF", fmt.Sprintf("%s's SPF record %q gives %s for %s (%s), so its mail may be rejected", d, recs[0], res, ip, who),
				fmt.Sprintf("add %s (or an include: of your relay provider) before the final -all or ~all", mechanism(ip)))
		}
	}
	return ok("SPF", fmt.Sprintf("%s's SPF record allows %s (%s)", d, joinIPs(ips), who))
}

// senders are the addresses SPF should allow, and where they came from.
func (c *checker) senders(ctx context.Context) ([]net.IP, string) {
	if ip := net.ParseIP(c.o.SendingIP); ip != nil {
		return []net.IP{ip}, "the sending address"
	}
	host, _, _, err := relayAddr(c.o.Relay)
	if err != nil {
		return nil, ""
	}
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else if as, err := c.o.Resolver.LookupIPAddr(ctx, host); err == nil {
		for _, a := range as {
			ips = append(ips, a.IP)
		}
	}
	var public []net.IP
	for _, ip := range ips {
		if !ip.IsLoopback() && !ip.IsPrivate() {
			public = append(public, ip)
		}
	}
	return public, "the relay " + host
}

func mechanism(ip net.IP) string {
	if ip.To4() != nil {
		return "ip4:" + ip.String()
	}
	return "ip6:" + ip.String()
}

func joinIPs(ips []net.IP) string {
	s := make([]string, len(ips))
	for i, ip := range ips {
		s[i] = ip.String()
	}
	return strings.Join(s, ", ")
}

func (c *checker) dkim(ctx context.Context) Result {
	ctx, cancel := c.timeout(ctx)
	defer cancel()
	d := c.o.Domain
	if len(c.o.Keys) == 0 {
		return problem("DKIM", "no DKIM key is stored for "+d+", so its mail goes out unsigned (Gmail and Yahoo require DKIM from bulk senders)",
			"make a key and publish the record it prints:\n  listserv dkim keygen "+d)
	}
	var good []string
	for _, k := range c.o.Keys {
		want, err := dkimsign.TXTRecord(k.Signer)
		if err != nil {
			return problem("DKIM", fmt.Sprintf("stored key %s of %s is unusable: %v", k.Selector, d, err), "make a new key: listserv dkim keygen "+d+" --selector NEW")
		}
		name := dkimsign.RecordName(k.Selector, d)
		fix := fmt.Sprintf("publish (listserv dkim ls %s prints it for your zone file):\n  %s. 3600 IN TXT \"%s\"", d, name, want)
		txts, err := c.o.Resolver.LookupTXT(ctx, name)
		if err != nil && !notFound(err) {
			return problem("DKIM", "could not look up "+name+": "+err.Error(), "check that the domain's DNS servers answer")
		}
		if len(txts) == 0 {
			return problem("DKIM", fmt.Sprintf("%s is not published: receivers cannot verify the %s signature on %s's mail", name, k.Algorithm, d), fix)
		}
		wantP := tag(want, "p")
		found := false
		for _, t := range txts {
			found = found || tag(t, "p") == wantP
		}
		if !found {
			return problem("DKIM", fmt.Sprintf("%s publishes a different key from the stored %s key: every signature will fail", name, k.Algorithm), fix)
		}
		good = append(good, k.Algorithm+" "+k.Selector)
	}
	return ok("DKIM", fmt.Sprintf("the published records match the stored keys (%s)", strings.Join(good, ", ")))
}

// tag returns a DKIM record tag's value with spaces removed.
func tag(rec, name string) string {
	for _, part := range strings.Split(rec, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.TrimSpace(k) == name {
			return strings.Join(strings.Fields(v), "")
		}
	}
	return ""
}

func (c *checker) dmarc(ctx context.Context) Result {
	ctx, cancel := c.timeout(ctx)
	defer cancel()
	d := c.o.Domain
	rec, inherited, err := mailauth.NewPolicies(c.o.Resolver).Lookup(ctx, d)
	switch {
	case err != nil:
		return problem("DMARC", "could not look up the DMARC record of "+d+": "+err.Error(), "check that the domain's DNS servers answer")
	case rec == nil:
		return problem("DMARC", d+" publishes no DMARC record (Gmail and Yahoo require one from bulk senders)",
			fmt.Sprintf("publish at least a monitoring record, e.g.\n  _dmarc.%s. 3600 IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@%s\"", d, d))
	}
	where := "_dmarc." + d
	if inherited {
		where = "_dmarc." + mailauth.OrgDomain(d) + " (the organisational domain's)"
	}
	text := fmt.Sprintf("%s publishes policy %s", where, mailauth.EffectivePolicy(rec, inherited))
	if mailauth.EffectivePolicy(rec, inherited) == dmarc.PolicyNone {
		text += " (monitoring only; raise it to quarantine once the reports show all your mail aligned)"
	}
	return ok("DMARC", text)
}
