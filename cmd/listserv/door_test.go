package main

// "A door that says what it is": the CLI refuses what it cannot mean,
// says why in words, and exits 2.

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/postfix"
)

// TestUnknownDatabaseScheme: a mistyped or foreign URL is an error naming
// the accepted forms, not an empty SQLite store in a folder "postgress:".
func TestUnknownDatabaseScheme(t *testing.T) {
	c := backends[0].emptyCLI(t)
	for _, u := range []string{"postgress://postgres@127.0.0.1/x", "mysql://root@localhost/lists"} {
		for _, args := range [][]string{{"list", "ls", "--db", u}, {"migrate", "--db", u}, {"serve", "--db", u, "--http", "127.0.0.1:0", "--smtp", "off"}} {
			r := c.fails(2, []string{"postgres://", "sqlite:"}, args...)
			if strings.Contains(r.stderr, "store:") {
				t.Errorf("%v: internal prefix in %q", args, r.stderr)
			}
		}
	}
	assertEmptyDir(t, c.workdir)
}

// TestNoStoreRefused: operator commands never create a store; they say
// where they looked. serve and migrate do create one.
func TestNoStoreRefused(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := b.emptyCLI(t)
			where := filepath.Join(c.data, "listserv.db")
			if c.db != "" {
				where = "PostgreSQL database"
			}
			for _, args := range [][]string{
				{"list", "ls"}, {"list", "create", "team@example.org"}, {"member", "ls", "team@example.org"},
				{"held", "ls"}, {"login-link", "op@example.org"}, {"digest", "send", "team@example.org"},
			} {
				c.fails(2, []string{"no listserv database", where, "listserv migrate"}, args...)
			}
			assertEmptyDir(t, c.data)
			// Not even the data directory itself.
			gone := filepath.Join(t.TempDir(), "nowhere")
			r := c.runEnv(nil, "list", "ls", "--data", gone)
			if r.code != 2 || !strings.Contains(r.stderr, filepath.Join(gone, "listserv.db")) || !strings.Contains(r.stderr, "--data") {
				t.Errorf("list ls --data %s: %s", gone, r)
			}
			if _, err := os.Stat(gone); !os.IsNotExist(err) {
				t.Errorf("list ls made the data directory: %v", err)
			}
			c.ok("migrate")
			if out := c.ok("list", "ls", "--json"); out != "[]\n" {
				t.Errorf("after migrate: %q", out)
			}
		})
	}
}

// TestGlobalFlagsFirst: --data and --db may come before the command.
func TestGlobalFlagsFirst(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := b.newCLI(t)
			c.ok("list", "create", "team@example.org")
			fl := c.storeFlags()
			for _, args := range [][]string{
				append(append([]string{}, fl...), "list", "ls"),
				append(append([]string{}, fl...), "member", "ls", "team@example.org"),
			} {
				r := c.runEnv(nil, args...)
				if r.code != 0 {
					t.Errorf("listserv %s: %s", strings.Join(args, " "), r)
				}
			}
			r := c.runEnv(nil, append([]string{"--data=" + c.data}, append(fl[2:], "list", "ls")...)...)
			if r.code != 0 || !strings.Contains(r.stdout, "team@example.org") {
				t.Errorf("--data=DIR first: %s", r)
			}
			c.fails(2, []string{"--frob", "before the command"}, "--frob", "list", "ls")
			c.fails(2, []string{"--db needs a value"}, "--db")
		})
	}
}

// TestErrorsSpeakToPeople: no package prefixes, and bad input exits 2.
func TestErrorsSpeakToPeople(t *testing.T) {
	c := backends[0].newCLI(t)
	for _, args := range [][]string{
		{"list", "set", "nope@example.org", "--policy", "open"},
		{"held", "approve", "999"},
		{"member", "export", "nope@example.org"},
	} {
		r := c.run(args...)
		if r.code != 2 {
			t.Errorf("%v: want exit 2, got %s", args, r)
		}
		if strings.Contains(r.stderr, "store:") || strings.Contains(r.stderr, "sqldb:") {
			t.Errorf("%v: internal prefix in %q", args, r.stderr)
		}
	}
}

var loginBaseRe = regexp.MustCompile(`^http://([0-9.:]+)/login/[a-z2-7]+\n$`)

// TestLoginLinkUsesServeBase: without --base-url, login-link prints the
// address serve answers on (stored by serve, or from LISTSERV_HTTP).
func TestLoginLinkUsesServeBase(t *testing.T) {
	c := backends[0].newCLI(t)
	// Before any serve: LISTSERV_HTTP, as serve would default to it.
	r := c.runEnv(append(c.env(), "LISTSERV_HTTP=127.0.0.1:9099"), "login-link", "op@example.org")
	if m := loginBaseRe.FindStringSubmatch(r.stdout); m == nil || m[1] != "127.0.0.1:9099" {
		t.Errorf("login-link with LISTSERV_HTTP: %s", r)
	}
	addr := postfix.FreeAddr(t)
	srv := c.startServe(addr, "--smtp", "off", "--imap", "off")
	out := c.ok("login-link", "op@example.org")
	m := loginBaseRe.FindStringSubmatch(out)
	if m == nil || m[1] != addr {
		t.Fatalf("login-link printed %q, want a link to serve's %s", out, addr)
	}
	// The link works on the running server (the page answers).
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET the printed link: %s", resp.Status)
	}
	srv.stop()
	// After serve has stopped, the stored URL is still used.
	if out := c.ok("login-link", "op@example.org"); !strings.Contains(out, "http://"+addr+"/login/") {
		t.Errorf("login-link after serve stopped: %q", out)
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		t.Errorf("%s holds %s, want nothing created", dir, e.Name())
	}
}
