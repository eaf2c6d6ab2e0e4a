package main

import (
	"context"
	"fmt"
	"net"

	"github.com/demnet-uk/listserv/listserv/mailauth"
	"github.com/demnet-uk/listserv/listserv/server"
)

// authFlags declares serve's inbound-authentication flags; the returned
// function applies them to cfg after parsing.
func authFlags(f *flagSet) func(cfg *server.Config) error {
	on := f.str("inbound-auth", "LISTSERV_INBOUND_AUTH", "on", "check SPF, DKIM and DMARC on posts and hold those whose From names a member but fails (on or off)")
	dnsAddr := f.str("dns", "LISTSERV_DNS", "", "DNS server host:port for SPF, DKIM and DMARC lookups (default: the system resolver)")
	trust := f.str("trust-authserv-id", "LISTSERV_TRUST_AUTHSERV_ID", "", "authserv-id of the MTA in front whose Authentication-Results are trusted instead of checking again")
	return func(cfg *server.Config) error {
		enabled, err := onOff("inbound-auth", *on)
		if err != nil || !enabled {
			return err
		}
		r, err := resolverFor(*dnsAddr)
		if err != nil {
			return err
		}
		cfg.InboundAuth = &mailauth.Config{Resolver: r, TrustAuthservID: *trust}
		return nil
	}
}

// resolverFor is the system resolver, or one asking only addr.
func resolverFor(addr string) (*net.Resolver, error) {
	if addr == "" {
		return net.DefaultResolver, nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("%w: --dns %q: want host:port, like 127.0.0.1:53", errUsage, addr)
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}, nil
}
