// Package browser runs headless-Chromium scenarios (tests/browser/*.mjs,
// driven by playwright-core) from Go tests and returns their JSON result.
// Without Chromium, node or the npm packages a test is skipped, except
// under CI=true, where that is a failure.
package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Dir is tests/browser in the module.
func Dir(t testing.TB) string {
	t.Helper()
	wd, _ := os.Getwd()
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "tests", "browser")
		}
		if filepath.Dir(d) == d {
			t.Fatal("go.mod not found above " + wd)
		}
	}
}

// Available skips (or fails under CI=true) when the browser tooling is missing.
func Available(t testing.TB) string {
	t.Helper()
	dir := Dir(t)
	missing := ""
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing = chromium
	} else if _, err := exec.LookPath("node"); err != nil {
		missing = "node"
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core")); err != nil {
		missing = "tests/browser/node_modules (run npm ci --prefix tests/browser)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need %s (scripts/test.sh installs it)", missing)
		}
		t.Skipf("browser tests skipped: %s missing", missing)
	}
	return dir
}

// Run runs tests/browser/SCENARIO with args and decodes its result into out.
func Run(t testing.TB, scenario string, args, out any) {
	t.Helper()
	dir := Available(t)
	in, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "run.mjs", scenario, string(in))
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var res struct {
		OK     bool            `json:"ok"`
		Error  string          `json:"error"`
		Result json.RawMessage `json:"result"`
	}
	line := lastLine(stdout.Bytes())
	if err := json.Unmarshal(line, &res); err != nil {
		t.Fatalf("browser scenario %s: %v (exit %v)\nstdout: %s\nstderr: %s", scenario, err, runErr, stdout.String(), stderr.String())
	}
	if !res.OK {
		t.Fatalf("browser scenario %s failed: %s\nstderr: %s", scenario, res.Error, stderr.String())
	}
	if out != nil {
		if err := json.Unmarshal(res.Result, out); err != nil {
			t.Fatalf("browser scenario %s result: %v", scenario, err)
		}
	}
}

func lastLine(b []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return lines[len(lines)-1]
}

// ServeHTML serves one HTML document (a rendered mail part, say) until
// the test ends and returns its URL, for a scenario's "urls".
func ServeHTML(t testing.TB, html []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(html)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/digest.html"
}

// Page is one audited page of a scenario's report.
type Page struct {
	Name       string      `json:"name"`
	URL        string      `json:"url"`
	Violations []Violation `json:"violations"`
	Reflow     struct {
		Width int  `json:"width"`
		OK    bool `json:"ok"`
	} `json:"reflow"`
}

// Violation is one axe-core rule that failed.
type Violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Nodes   int      `json:"nodes"`
	Targets []string `json:"targets"`
}

// CheckPages fails the test for every axe violation and every page that
// does not reflow at 320 px.
func CheckPages(t testing.TB, pages []Page) {
	t.Helper()
	if len(pages) == 0 {
		t.Error("no pages were audited")
	}
	for _, p := range pages {
		for _, v := range p.Violations {
			t.Errorf("%s: axe %s (%s) on %d nodes: %v", p.Name, v.ID, v.Impact, v.Nodes, v.Targets)
		}
		if !p.Reflow.OK {
			t.Errorf("%s: %d px wide at a 320 px viewport (WCAG 1.4.10)", p.Name, p.Reflow.Width)
		}
	}
	fmt.Fprintf(os.Stderr, "browser: audited %d pages\n", len(pages))
}
