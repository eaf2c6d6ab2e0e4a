// Package dkimtest verifies DKIM signatures in tests with two independent
// verifiers: go-msgauth and Debian's python3-dkim (dkimpy), each asking a
// fixed table of TXT records instead of DNS.
package dkimtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// Records maps a DNS name (no trailing dot) to its TXT value.
type Records map[string]string

// LookupTXT answers from r as go-msgauth and go-msgauth/dmarc want.
func (r Records) LookupTXT(name string) ([]string, error) {
	if v, ok := r[strings.TrimSuffix(name, ".")]; ok {
		return []string{v}, nil
	}
	return nil, &net.DNSError{Err: "no such record", Name: name, IsNotFound: true}
}

// GoVerify checks every DKIM-Signature of raw with go-msgauth and returns
// the domains whose signatures pass; it fails the test on any bad one.
func GoVerify(t testing.TB, raw []byte, recs Records) []string {
	t.Helper()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: recs.LookupTXT})
	if err != nil {
		t.Fatalf("go-msgauth verify: %v", err)
	}
	if len(vs) == 0 {
		t.Fatalf("no DKIM-Signature in:\n%s", head(raw))
	}
	var ok []string
	for _, v := range vs {
		if v.Err != nil {
			t.Fatalf("go-msgauth: signature of %s fails: %v\n%s", v.Domain, v.Err, head(raw))
		}
		ok = append(ok, v.Domain)
	}
	return ok
}

const pyScript = `
import json, sys, dkim
recs = json.load(open(sys.argv[1]))
def dnsfunc(name, timeout=5):
    v = recs.get(name.decode().rstrip('.'))
    return v.encode() if v is not None else None
msg = sys.stdin.buffer.read()
n = int(sys.argv[2])
for i in range(n):
    d = dkim.DKIM(msg)
    if not d.verify(idx=i, dnsfunc=dnsfunc):
        print("signature %d fails" % i)
        sys.exit(1)
print("ok %d" % n)
`

// Python is Debian's python3 with the dkim module, or "" (the test is
// skipped; under CI=true it fails, since CI installs python3-dkim).
func Python(t testing.TB) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if exec.Command(py, "-c", "import dkim, nacl").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3-dkim (with python3-nacl) is missing under CI=true; scripts/dkim-deps.sh installs it")
		}
		t.Skip("python3-dkim not installed")
	}
	return py
}

// PyVerify checks the first n signatures of raw with dkimpy.
func PyVerify(t testing.TB, raw []byte, recs Records, n int) {
	t.Helper()
	py := Python(t)
	dir := t.TempDir()
	rf := filepath.Join(dir, "recs.json")
	b, _ := json.Marshal(recs)
	if err := os.WriteFile(rf, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", pyScript, rf, fmt.Sprint(n))
	cmd.Stdin = bytes.NewReader(raw)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dkimpy: %v: %s\n%s", err, out, head(raw))
	}
	if got := strings.TrimSpace(string(out)); got != fmt.Sprintf("ok %d", n) {
		t.Fatalf("dkimpy said %q", got)
	}
}

func head(raw []byte) []byte {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return raw[:i]
	}
	return raw
}
