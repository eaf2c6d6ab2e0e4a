package doctor

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/emersion/go-smtp"
)

// relayAddr splits a relay URL into host, host:port and whether it is
// implicit TLS.
func relayAddr(raw string) (host, addr string, implicitTLS bool, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return "", "", false, fmt.Errorf("relay %q: want smtp://host:port or smtps://host:465", raw)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"smtp": "25", "smtps": "465"}[u.Scheme]
	}
	return u.Hostname(), net.JoinHostPort(u.Hostname(), port), u.Scheme == "smtps", nil
}

func (c *checker) relay(ctx context.Context) Result {
	if c.o.Relay == "" || c.o.Relay == "capture" {
		return skipped("relay", "no relay configured (--relay capture keeps copies in the outbox and sends nothing)")
	}
	host, addr, implicit, err := relayAddr(c.o.Relay)
	if err != nil {
		return problem("relay", err.Error(), "set --relay (LISTSERV_RELAY) to smtp://host:port or smtps://user:pass@host:465")
	}
	ctx, cancel := c.timeout(ctx)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return problem("relay", fmt.Sprintf("cannot connect to the relay %s: %v", addr, err),
			"check the relay is running and that this machine may connect to it (firewall, port)")
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if implicit {
		conn = tls.Client(conn, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12})
	}
	cl := smtp.NewClient(conn)
	defer cl.Close()
	helo := c.o.Hostname
	if helo == "" {
		helo = "localhost"
	}
	if err := cl.Hello(helo); err != nil {
		return problem("relay", fmt.Sprintf("the relay %s did not greet properly: %v", addr, err), "check that --relay points at an SMTP server")
	}
	starttls, _ := cl.Extension("STARTTLS")
	cl.Quit()
	local := isLocal(host)
	switch {
	case implicit:
		return ok("relay", fmt.Sprintf("the relay %s answers over TLS", addr))
	case starttls:
		return ok("relay", fmt.Sprintf("the relay %s answers and offers STARTTLS", addr))
	case local:
		return ok("relay", fmt.Sprintf("the relay %s answers (no STARTTLS, fine on this machine)", addr))
	}
	return problem("relay", fmt.Sprintf("the relay %s answers but offers no STARTTLS: mail and any password cross the network in clear", addr),
		"enable TLS on the relay, or use smtps://host:465")
}

func isLocal(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// rdns: the sending address's PTR names a host whose address is the
// sending address again (forward-confirmed), which Gmail requires.
func (c *checker) rdns(ctx context.Context) Result {
	ip := net.ParseIP(c.o.SendingIP)
	if ip == nil {
		return skipped("reverse DNS", "not checked: give --sending-ip, the address mail leaves from")
	}
	ctx, cancel := c.timeout(ctx)
	defer cancel()
	fix := fmt.Sprintf("ask whoever runs %s (your hosting provider) to set its reverse DNS (PTR) to %s, and publish an A record for %s pointing at %s", ip, c.mxHost(), c.mxHost(), ip)
	names, err := c.o.Resolver.LookupAddr(ctx, ip.String())
	if err != nil || len(names) == 0 {
		return problem("reverse DNS", fmt.Sprintf("%s has no reverse DNS name: Gmail and others reject or junk mail from such addresses", ip), fix)
	}
	for _, n := range names {
		n = strings.TrimSuffix(n, ".")
		addrs, err := c.o.Resolver.LookupIPAddr(ctx, n)
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if a.IP.Equal(ip) {
				return ok("reverse DNS", fmt.Sprintf("%s is %s, which points back at it", ip, n))
			}
		}
	}
	return problem("reverse DNS", fmt.Sprintf("%s's reverse DNS name %s does not point back at %s", ip, strings.TrimSuffix(names[0], "."), ip),
		fmt.Sprintf("publish an A record for %s pointing at %s", strings.TrimSuffix(names[0], "."), ip))
}
