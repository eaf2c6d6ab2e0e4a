package main

// Helpers for the CLI tests: the binary is built once in TestMain and every
// test runs it as an operator would, against a fresh SQLite file or a fresh
// PostgreSQL database (when LISTSERV_TEST_POSTGRES is set).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// binPath is the listserv binary built by TestMain.
var binPath string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "listserv-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cli test:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "listserv")
	if runtime.GOOS == "windows" {
		binPath += ".exe"
	}
	build := exec.Command(goTool(), "build", "-o", binPath, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "cli test: go build:", err)
		return 1
	}
	return m.Run()
}

// goTool finds the go command that is running the tests.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

// backend makes a fresh, empty store for one test.
type backend struct {
	name string
	// fresh returns the LISTSERV_DB value ("" for SQLite in LISTSERV_DATA)
	// and the URL to open the same store directly with sqldb.Open.
	fresh func(t *testing.T, data string) (db, dbURL string)
}

var backends = []backend{
	{"sqlite", func(t *testing.T, data string) (string, string) {
		return "", filepath.Join(data, "listserv.db")
	}},
	{"postgres", func(t *testing.T, data string) (string, string) {
		u := pgURL(t) // skips without LISTSERV_TEST_POSTGRES
		return u, u
	}},
}

// cli runs the binary against one store.
type cli struct {
	t       *testing.T
	backend string
	data    string // LISTSERV_DATA
	db      string // LISTSERV_DB, "" for SQLite
	dbURL   string // for sqldb.Open
	workdir string // the binary's working directory
}

func (b backend) newCLI(t *testing.T) *cli {
	t.Helper()
	c := b.emptyCLI(t)
	// Operator commands need an existing store; serve or migrate makes it.
	db, err := sqldb.Open(t.Context(), c.dbURL)
	if err != nil {
		t.Fatalf("create store: %v", err)
	}
	db.Close()
	return c
}

// emptyCLI is a cli whose store does not exist yet.
func (b backend) emptyCLI(t *testing.T) *cli {
	t.Helper()
	c := &cli{t: t, backend: b.name, data: t.TempDir(), workdir: t.TempDir()}
	c.db, c.dbURL = b.fresh(t, c.data)
	return c
}

// env is the LISTSERV_* environment that selects this store.
func (c *cli) env() []string {
	env := []string{"LISTSERV_DATA=" + c.data}
	if c.db != "" {
		env = append(env, "LISTSERV_DB="+c.db)
	}
	return env
}

// storeFlags select this store by flags instead of the environment.
func (c *cli) storeFlags() []string {
	fl := []string{"--data", c.data}
	if c.db != "" {
		fl = append(fl, "--db", c.db)
	}
	return fl
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run runs the binary with the store's environment.
func (c *cli) run(args ...string) result {
	c.t.Helper()
	return c.runEnv(c.env(), args...)
}

// runEnv runs the binary with only env as LISTSERV_* settings: the test
// process's own LISTSERV_* variables never leak in.
func (c *cli) runEnv(env []string, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Dir = c.workdir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LISTSERV_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.Exited():
		r.code = exit.ExitCode()
	default:
		c.t.Fatalf("listserv %s: %v\n%s", strings.Join(args, " "), err, r)
	}
	return r
}

// ok runs the command, fails the test unless it exits 0, and returns stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("listserv %s: want exit 0, got %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// fails runs the command and fails the test unless it exits with code and
// its stderr contains every one of want.
func (c *cli) fails(code int, want []string, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != code {
		c.t.Fatalf("listserv %s: want exit %d, got %s", strings.Join(args, " "), code, r)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			c.t.Errorf("listserv %s: stderr does not mention %q:\n%s", strings.Join(args, " "), w, r.stderr)
		}
	}
	return r
}

// open opens the store directly, closed at the end of the test.
func (c *cli) open() *sqldb.DB {
	c.t.Helper()
	db, err := sqldb.Open(c.t.Context(), c.dbURL)
	if err != nil {
		c.t.Fatalf("open store: %v", err)
	}
	c.t.Cleanup(func() { db.Close() })
	return db
}

// decodeJSON decodes stdout into v, and also checks that every element of
// the JSON array has exactly the keys in want (the documented --json shape).
func decodeJSON(t *testing.T, stdout string, v any, want []string) {
	t.Helper()
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatalf("--json output is not a JSON array of objects: %v\n%s", err, stdout)
	}
	for i, obj := range raw {
		var keys []string
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		sorted := slices.Sorted(slices.Values(want))
		if !slices.Equal(keys, sorted) {
			t.Errorf("--json element %d has keys %v, want %v", i, keys, sorted)
		}
	}
	if err := json.Unmarshal([]byte(stdout), v); err != nil {
		t.Fatalf("decode --json: %v\n%s", err, stdout)
	}
}

var (
	listKeys   = []string{"address", "list_id", "name", "description", "policy", "archive", "subject_prefix", "reply_to", "max_size", "members", "digest", "footer"}
	memberKeys = []string{"address", "name", "role", "mode", "status", "bounce_score", "source", "joined"}
	heldKeys   = []string{"id", "list", "kind", "from", "subject", "reason", "size", "held_at"}
)

func (c *cli) lists() []listJSON {
	c.t.Helper()
	var ls []listJSON
	decodeJSON(c.t, c.ok("list", "ls", "--json"), &ls, listKeys)
	return ls
}

// list returns the list with address, failing the test when it is missing.
func (c *cli) list(address string) listJSON {
	c.t.Helper()
	for _, l := range c.lists() {
		if l.Address == address {
			return l
		}
	}
	c.t.Fatalf("list ls --json has no %s", address)
	return listJSON{}
}

func (c *cli) members(list string) []memberJSON {
	c.t.Helper()
	var ms []memberJSON
	decodeJSON(c.t, c.ok("member", "ls", list, "--json"), &ms, memberKeys)
	return ms
}

func (c *cli) held(args ...string) []heldJSON {
	c.t.Helper()
	var hs []heldJSON
	decodeJSON(c.t, c.ok(append([]string{"held", "ls", "--json"}, args...)...), &hs, heldKeys)
	return hs
}

// addresses lists the members' addresses in order.
func addresses(ms []memberJSON) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Address
	}
	return out
}

// writeFile writes a file in a fresh temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
