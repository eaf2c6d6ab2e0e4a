package main

import "testing"

// A bad --trusted-proxies is a usage error before anything starts.
func TestServeTrustedProxiesFlag(t *testing.T) {
	c := backends[0].newCLI(t)
	c.fails(2, []string{"--trusted-proxies", "proxy.example"}, "serve", "--trusted-proxies", "127.0.0.1,proxy.example", "--http", "127.0.0.1:0", "--smtp", "off")
	r := c.runEnv(append(c.env(), "LISTSERV_TRUSTED_PROXIES=10.0.0.0/33"), "serve", "--http", "127.0.0.1:0", "--smtp", "off")
	if r.code != 2 {
		t.Errorf("LISTSERV_TRUSTED_PROXIES=10.0.0.0/33: %s", r)
	}
}

// A bad --domain-limit is a usage error that names the fault.
func TestServeDomainLimitFlag(t *testing.T) {
	c := backends[0].newCLI(t)
	c.fails(2, []string{"--domain-limit", "gmail.com=conns:five"}, "serve", "--domain-limit", "yahoo.com=rate:5/m", "--domain-limit", "gmail.com=conns:five", "--http", "127.0.0.1:0", "--smtp", "off")
	c.fails(2, []string{"unit must be s, m or h"}, "serve", "--domain-limit", "gmail.com=rate:5/d", "--http", "127.0.0.1:0", "--smtp", "off")
}
