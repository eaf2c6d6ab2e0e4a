package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// importRSS runs member import through the real binary and returns its
// result and peak memory in MB (Linux's ru_maxrss; it starts from the
// forking test process's own, which stays small here).
func (c *cli) importRSS(file string) (result, int64) {
	c.t.Helper()
	cmd := exec.CommandContext(c.t.Context(), binPath, "member", "import", "team@example.org", file)
	cmd.Dir = c.workdir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LISTSERV_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, c.env()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		c.t.Fatal(err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		c.t.Fatal("no rusage")
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}, ru.Maxrss >> 10
}

// bigFile writes head, then body repeated to size bytes, then tail.
func bigFile(t *testing.T, head, body string, size int, tail string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(head)
	for n := 0; n < size; n += len(body) {
		w.WriteString(body)
	}
	w.WriteString(tail)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportLimits: a file with a huge field, huge rows or too many bytes
// fails at once with a short message and exit 2, without reading it all
// into memory.
func TestImportLimits(t *testing.T) {
	c := backends[0].newCLI(t)
	c.ok("list", "create", "team@example.org")
	cases := []struct {
		name string
		file string
		want []string
	}{
		{"50 MB one-field file", bigFile(t, "address\n", strings.Repeat("a", 1<<16), 50<<20, "\n"),
			[]string{"line 2", "longer than 8192 bytes"}},
		{"quoted field over many lines", bigFile(t, "address,name\nann@example.org,\"", "x\n", 1<<20, "\"\n"),
			[]string{"line 2", "longer than 8192 bytes"}},
		{"long values in 20 bad rows", bigFile(t, "address,name,mode\n",
			strings.Repeat("b", 300)+"@example.org,"+strings.Repeat("N", 400)+","+strings.Repeat("m", 5000)+"\n", 25*5700, ""),
			[]string{"nothing imported", "line 2", "address longer than 254 bytes", "…"}},
		{"long name", bigFile(t, "address,name\n", "ann@example.org,"+strings.Repeat("N", 400)+"\n", 1, ""),
			[]string{"line 2", "name longer than 300 bytes", "…"}},
		{"long mode", bigFile(t, "address,mode\n", "ann@example.org,"+strings.Repeat("m", 5000)+"\n", 1, ""),
			[]string{"line 2", "mode must be one of", "…"}},
	}
	for _, tc := range cases {
		r, rss := c.importRSS(tc.file)
		t.Logf("%s: exit %d, %d bytes of error, peak RSS %d MB", tc.name, r.code, len(r.stderr), rss)
		if r.code != 2 {
			t.Errorf("%s: %s", tc.name, r)
		}
		if len(r.stderr) > 4096 {
			t.Errorf("%s: %d bytes of error, want a short message:\n%.500s", tc.name, len(r.stderr), r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: error does not say %q:\n%.2000s", tc.name, w, r.stderr)
			}
		}
		if rss > 150 {
			t.Errorf("%s: peak RSS %d MB for a refused file", tc.name, rss)
		}
	}
	if n := c.list("team@example.org").Members; n != 0 {
		t.Errorf("refused files imported %d members", n)
	}
}

// TestImportFileTooLarge: a file over the size cap is refused before it is
// read (a sparse file, so the test writes nothing).
func TestImportFileTooLarge(t *testing.T) {
	c := backends[0].newCLI(t)
	c.ok("list", "create", "team@example.org")
	p := filepath.Join(t.TempDir(), "huge.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(129 << 20); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	c.fails(2, []string{"huge.csv is 129 MB", "split it"}, "member", "import", "team@example.org", p)
}

// TestImportTooManyRows: more rows than an import takes are refused.
func TestImportTooManyRows(t *testing.T) {
	if testing.Short() {
		t.Skip("a million-row file is skipped in -short mode")
	}
	c := backends[0].newCLI(t)
	c.ok("list", "create", "team@example.org")
	p := filepath.Join(t.TempDir(), "rows.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("address\n")
	for i := range 1_000_001 {
		fmt.Fprintf(w, "m%d@e.org\n", i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	c.fails(2, []string{"more than 1000000 rows"}, "member", "import", "team@example.org", p)
}
