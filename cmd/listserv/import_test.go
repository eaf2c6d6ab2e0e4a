package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestImport100k imports 100,000 members from CSV through the CLI and logs
// how long it took. It never asserts a time: machines differ.
func TestImport100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000-row import skipped in -short mode")
	}
	const rows = 100_000
	file := writeMembersCSV(t, rows)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := b.newCLI(t)
			c.ok("list", "create", "big@example.org")

			start := time.Now()
			out := c.ok("member", "import", "big@example.org", file)
			secs := time.Since(start).Seconds()
			t.Logf("%s: member import of %d rows took %.2fs (%.0f rows/s) through the CLI; it printed: %s",
				b.name, rows, secs, rows/secs, strings.TrimSpace(out))

			if want := fmt.Sprintf("imported %d into big@example.org (0 already members) in ", rows); !strings.HasPrefix(out, want) {
				t.Errorf("member import printed %q, want %q...", out, want)
			}
			if n := c.list("big@example.org").Members; n != rows {
				t.Errorf("list ls --json members = %d after importing %d rows", n, rows)
			}
		})
	}
}

// writeMembersCSV writes n distinct members, with a mix of empty and set
// names and modes, and returns the file's path.
func writeMembersCSV(t *testing.T, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "members.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "address,name,mode")
	modes := []string{"", "each", "digest", "nomail"}
	for i := range n {
		name := ""
		if i%3 != 0 {
			name = fmt.Sprintf("Member %d", i)
		}
		fmt.Fprintf(w, "member%06d@example.org,%s,%s\n", i, name, modes[i%len(modes)])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}
