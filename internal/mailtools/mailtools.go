// Package mailtools finds the Debian mail clients the IMAP tests drive
// (python3's imaplib, curl, mbsync from isync, mutt). A missing tool
// skips the test, except under CI=true, where it fails it:
// scripts/imap-deps.sh installs them.
package mailtools

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of a Debian tool (python3 is always
// /usr/bin/python3, not a pyenv shim on PATH) or skips t.
func Need(t testing.TB, name string) string {
	t.Helper()
	path := "/usr/bin/" + name
	if _, err := os.Stat(path); err != nil {
		if p, err := exec.LookPath(name); err == nil && name != "python3" {
			return p
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (run scripts/imap-deps.sh as root)", path)
		}
		t.Skipf("%s is missing (scripts/imap-deps.sh installs it)", path)
	}
	return path
}
