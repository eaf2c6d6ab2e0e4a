package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/mailtools"
	"github.com/demnet-uk/listserv/listserv/apppass"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// imapEnv is a server with IMAP on loopback, a members-only list "team"
// (ann and bob), a public list "open" (carol only) and a members-only
// list "secret" (carol only).
type imapEnv struct {
	*env
	team, open, secret *store.List
}

func startIMAP(t *testing.T, dbURL string, mut ...func(*server.Config)) *imapEnv {
	t.Helper()
	e := start(t, dbURL, append([]func(*server.Config){func(c *server.Config) { c.IMAP = "127.0.0.1:0" }}, mut...)...)
	ie := &imapEnv{env: e}
	ie.team = e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team", Archive: "members", Policy: store.PolicyMembers},
		store.NewMember{Address: "ann@example.net"}, store.NewMember{Address: "bob@example.net"})
	ie.open = e.list(t, &store.List{Address: "open@lists.example.org", Name: "Open", Archive: "public", Policy: store.PolicyOpen},
		store.NewMember{Address: "carol@example.net"})
	ie.secret = e.list(t, &store.List{Address: "secret@lists.example.org", Name: "Secret", Archive: "members"},
		store.NewMember{Address: "carol@example.net"})
	return ie
}

// appPassword makes an app password for address through the engine the
// CLI and /me use.
func (e *imapEnv) appPassword(t *testing.T, address string) string {
	t.Helper()
	secret, _, err := apppass.New(e.st, quietLog()).Create(context.Background(), address, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// post sends a post to l over SMTP and waits until it is archived; it
// returns the archived message.
func (e *imapEnv) post(t *testing.T, l *store.List, from, subject, body string) *store.Message {
	t.Helper()
	ctx := context.Background()
	before, err := e.st.ArchiveStatus(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d.%s@example.net>\r\nDate: %s\r\n\r\n%s\r\n",
		from, l.Address, subject, time.Now().UnixNano(), strings.ReplaceAll(subject, " ", "."),
		time.Now().Format(time.RFC1123Z), body)
	e.mustSend(t, from, []string{l.Address}, raw)
	var got *store.Message
	waitFor(t, "post archived", func() bool {
		uids, err := e.st.ArchiveUIDs(ctx, l.ID, before.UIDNext-1, 10)
		if err != nil || len(uids) == 0 {
			return false
		}
		ms, err := e.st.ArchiveMessages(ctx, l.ID, uids[:1], true)
		if err != nil || len(ms) == 0 {
			return false
		}
		got = ms[0]
		return true
	})
	return got
}

func (e *imapEnv) imapAddr() string { return e.srv.Addr("imap") }

// python runs an imaplib script with the server's host and port as
// argv[1:3] and extra arguments after, and decodes its one JSON line.
func python(t *testing.T, script string, out any, args ...string) {
	t.Helper()
	py := mailtools.Need(t, "python3")
	dir := t.TempDir()
	path := filepath.Join(dir, "t.py")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{path}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	b, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("python: %v\n%s\n%s", err, b, stderr)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("python output %q: %v", b, err)
	}
}
