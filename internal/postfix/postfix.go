// Package postfix runs a private instance of Debian's Postfix for tests:
// its own main.cf and master.cf, queue and data directories and loopback
// ports, all under one temporary directory, started with
// `postfix -c DIR start` beside (never instead of) a system Postfix.
//
// The configuration is the operators' example in examples/postfix, with its
// addresses and paths replaced, appended to a small base (main.cf.base,
// master.cf.base: no chroot, fast retries, everything else relayed to the
// test's sink). A change to the example that breaks Postfix in front of
// listserv therefore breaks the test.
//
// Postfix needs root and the postfix user and postdrop group that the
// Debian package creates (scripts/postfix-deps.sh installs it). Without them
// a test is skipped, except under CI=true, where that is a failure.
package postfix

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Config says where the instance sends mail.
type Config struct {
	LMTP  string // listserv's LMTP listener, host:port (the transport map's next hop)
	Relay string // where mail not for the lists goes (the test's sink), 127.0.0.1:port
}

// Instance is a running Postfix.
type Instance struct {
	Dir      string // everything lives under it
	Conf     string // config_directory (main.cf, master.cf, transport)
	SMTP     string // front door: where the world's mail comes in
	Reinject string // the example's port for listserv's outbound relay
	t        testing.TB
}

// Available skips the test (or fails it under CI=true) unless Postfix can
// run here, and returns the postfix command's path.
func Available(t testing.TB) string {
	t.Helper()
	missing := ""
	bin, err := exec.LookPath("postfix")
	if err != nil {
		bin = "/usr/sbin/postfix"
	}
	if _, err := os.Stat(bin); err != nil {
		missing = "the postfix command (scripts/postfix-deps.sh installs it)"
	} else if os.Geteuid() != 0 {
		missing = "root (Postfix's master process runs as root)"
	} else if _, err := user.Lookup("postfix"); err != nil {
		missing = "the postfix user (made by the Debian package)"
	} else if _, err := user.LookupGroup("postdrop"); err != nil {
		missing = "the postdrop group (made by the Debian package)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Postfix tests need %s", missing)
		}
		t.Skipf("Postfix tests skipped: they need %s", missing)
	}
	return bin
}

// Start configures and starts an instance; t.Cleanup stops it and removes
// its directory (printing its log first when the test failed).
func Start(t testing.TB, cfg Config) *Instance {
	t.Helper()
	Available(t)
	// Not t.TempDir: Postfix's daemons run as the postfix user and must be
	// able to reach the queue, and its sockets' paths must stay short.
	dir, err := os.MkdirTemp("", "lspf")
	if err != nil {
		t.Fatal(err)
	}
	p := &Instance{Dir: dir, Conf: filepath.Join(dir, "etc"), t: t}
	t.Cleanup(func() { p.cleanup() })
	// The queue's top is root's; `postfix check` makes the rest.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "queue"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.SMTP, p.Reinject = FreeAddr(t), FreeAddr(t)
	if err := p.writeConfig(cfg); err != nil {
		t.Fatal(err)
	}
	p.mustRun("postmap", "-c", p.Conf, filepath.Join(p.Conf, "transport"))
	p.check()
	p.mustRun("postfix", "-c", p.Conf, "start")
	p.waitListening(p.SMTP)
	p.waitListening(p.Reinject)
	return p
}

// check runs `postfix check`, which also creates the queue and data
// directories with the right owners, and fails on any warning.
func (p *Instance) check() {
	p.t.Helper()
	out := p.mustRun("postfix", "-c", p.Conf, "check")
	logged := p.Log()
	if strings.Contains(out, "warning") || strings.Contains(logged, "warning") {
		p.t.Fatalf("postfix check warns:\n%s\n%s", out, logged)
	}
}

// Log returns Postfix's log so far (maillog_file).
func (p *Instance) Log() string {
	b, err := os.ReadFile(filepath.Join(p.Dir, "maillog"))
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

func (p *Instance) mustRun(name string, args ...string) string {
	p.t.Helper()
	out, err := run(context.Background(), name, args...)
	if err != nil {
		p.t.Fatalf("%v\n%s", err, p.Log())
	}
	return out
}

// run runs a Postfix command (from /usr/sbin when it is not on PATH).
func run(ctx context.Context, name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		path = filepath.Join("/usr/sbin", name)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func (p *Instance) waitListening(addr string) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("postfix does not listen on %s: %v\n%s", addr, err, p.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
