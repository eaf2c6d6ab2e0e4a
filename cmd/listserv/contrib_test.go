package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/postfix"
)

// TestSystemdUnitVerifies: systemd-analyze verify accepts
// contrib/systemd/listserv.service without a warning (it exits 0 even on
// unknown keys, so its output must be empty too; a misspelt copy is the
// positive control). Skipped where systemd is not installed, except under
// CI=true.
func TestSystemdUnitVerifies(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("systemd-analyze is missing (install systemd)")
		}
		t.Skip("systemd-analyze not installed")
	}
	unit, err := os.ReadFile("../../contrib/systemd/listserv.service")
	if err != nil {
		t.Fatal(err)
	}
	// verify checks that ExecStart's program exists: point it at the
	// binary under test.
	text := strings.ReplaceAll(string(unit), "/usr/local/bin/listserv", binPath)
	verify := func(name, text string) string {
		f := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sa, "verify", f).CombinedOutput()
		if err != nil {
			return string(out) + err.Error()
		}
		return string(out)
	}
	if out := verify("listserv.service", text); strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify contrib/systemd/listserv.service:\n%s", out)
	}
	if out := verify("bad.service", strings.Replace(text, "\nRestart=", "\nRestartt=", 1)); !strings.Contains(out, "Restartt") {
		t.Errorf("control: a misspelt key was not reported: %q", out)
	}
}

// unitCommand reads ExecStart's arguments (after the program) and the
// example environment file.
func unitCommand(t *testing.T) (args, env []string) {
	t.Helper()
	unit, err := os.ReadFile("../../contrib/systemd/listserv.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(unit), "\n") {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			args = strings.Fields(v)[1:]
		}
	}
	f, err := os.Open("../../contrib/systemd/listserv.env")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			env = append(env, l)
		}
	}
	if len(args) == 0 || args[0] != "serve" || len(env) < 5 {
		t.Fatalf("ExecStart args %v, env %v", args, env)
	}
	return args, env
}

// TestSystemdUnitStarts: the unit's ExecStart with the example
// environment file starts serve (every flag and variable parses; only the
// addresses and the data directory are this test's), answers /healthz
// and /readyz, and stops cleanly on SIGTERM as systemd stops it.
func TestSystemdUnitStarts(t *testing.T) {
	args, env := unitCommand(t)
	c := backends[0].newCLI(t)
	for i, a := range args {
		if a == "/var/lib/listserv" {
			args[i] = c.data
		}
	}
	httpAddr, lmtpAddr, metricsAddr := postfix.FreeAddr(t), postfix.FreeAddr(t), postfix.FreeAddr(t)
	var kept []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LISTSERV_HTTP", "LISTSERV_LMTP", "LISTSERV_METRICS", "LISTSERV_DATA", "LISTSERV_DB":
			continue
		}
		kept = append(kept, kv)
	}
	t.Setenv("LISTSERV_LMTP", lmtpAddr)
	t.Setenv("LISTSERV_METRICS", metricsAddr)
	for _, kv := range kept {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	// startServe adds --http and passes LISTSERV_* from c.env only, so the
	// unit's variables go through the command line's environment here.
	srv := c.startServeEnv(httpAddr, os.Environ(), args[1:]...)
	client := &http.Client{Timeout: 5 * time.Second}
	for _, u := range []string{"http://" + httpAddr + "/readyz", "http://" + metricsAddr + "/metrics"} {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", u, resp.Status)
		}
	}
	srv.stop()
}

// TestProxyExamplesMatchUnit: the Caddy and nginx examples proxy to the
// web address the unit's environment gives serve, from an address its
// --trusted-proxies trusts, and keep /metrics and /outbox private; the
// base URL is https. (nginx -t and caddy validate need the programs,
// which CI does not install.)
func TestProxyExamplesMatchUnit(t *testing.T) {
	_, env := unitCommand(t)
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	if !strings.HasPrefix(vars["LISTSERV_BASE_URL"], "https://") {
		t.Errorf("base URL %q is not https", vars["LISTSERV_BASE_URL"])
	}
	if !strings.Contains(","+vars["LISTSERV_TRUSTED_PROXIES"]+",", ",127.0.0.1,") {
		t.Errorf("trusted proxies %q leave out the local proxy", vars["LISTSERV_TRUSTED_PROXIES"])
	}
	for file, want := range map[string][]string{
		"../../contrib/caddy/Caddyfile":     {"reverse_proxy " + vars["LISTSERV_HTTP"], "@private path /metrics /outbox /outbox/*"},
		"../../contrib/nginx/listserv.conf": {"proxy_pass http://" + vars["LISTSERV_HTTP"] + ";", "X-Forwarded-For $proxy_add_x_forwarded_for", "^/(metrics|outbox)(/|$)"},
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s lacks %q", file, w)
			}
		}
	}
}
