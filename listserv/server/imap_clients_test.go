package server_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/mailtools"
)

// run runs a client with a deadline and returns its combined output.
func run(t *testing.T, name string, args []string, env ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestIMAPCurl: curl's imap:// lists the mailboxes, fetches a post by UID
// byte for byte, and is refused a members-only list it is not on.
func TestIMAPCurl(t *testing.T) {
	curl := mailtools.Need(t, "curl")
	e := startIMAP(t, t.TempDir()+"/l.db")
	pw := e.appPassword(t, "ann@example.net")
	m := e.post(t, e.team, "bob@example.net", "Curl me", "Fetched by curl.")
	base := "imap://" + e.imapAddr()
	user := []string{"-s", "-S", "--user", "ann@example.net:" + pw}
	out, err := run(t, curl, append(user, base+"/"))
	if err != nil || !strings.Contains(out, "Lists/team@lists.example.org") || !strings.Contains(out, "INBOX") {
		t.Fatalf("curl LIST: %v\n%s", err, out)
	}
	out, err = run(t, curl, append(user, fmt.Sprintf("%s/Lists%%2Fteam@lists.example.org;UID=%d", base, m.UID)))
	if err != nil || out != string(m.Raw) {
		t.Fatalf("curl FETCH UID %d: %v\ngot  %q\nwant %q", m.UID, err, out, m.Raw)
	}
	out, err = run(t, curl, append(user, base+"/Lists%2Fsecret@lists.example.org;UID=1"))
	if err == nil {
		t.Fatalf("curl read a members-only list ann is not on:\n%s", out)
	}
}

// TestIMAPMbsync: mbsync mirrors a list mailbox into a Maildir; after a
// new post a second sync fetches only it (the first post's file is left
// as it was), and UIDVALIDITY stays put.
func TestIMAPMbsync(t *testing.T) {
	mbsync := mailtools.Need(t, "mbsync")
	e := startIMAP(t, t.TempDir()+"/l.db")
	pw := e.appPassword(t, "ann@example.net")
	first := e.post(t, e.team, "bob@example.net", "First", "One.")
	dir := t.TempDir()
	host, port, _ := strings.Cut(e.imapAddr(), ":")
	conf := fmt.Sprintf(`IMAPAccount lists
Host %s
Port %s
User ann@example.net
Pass %s
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account lists

MaildirStore local
Path %s/
Inbox %s/inbox
SubFolders Verbatim

Channel team
Far :remote:"Lists/team@lists.example.org"
Near :local:team
Create Near
Sync Pull
SyncState *
`, host, port, pw, dir, dir)
	rc := filepath.Join(dir, "mbsyncrc")
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	sync := func() string {
		out, err := run(t, mbsync, []string{"-c", rc, "-Dn", "team"})
		if err != nil {
			t.Fatalf("mbsync: %v\n%s", err, out)
		}
		return out
	}
	out1 := sync()
	files := maildirFiles(t, filepath.Join(dir, "team"))
	if len(files) != 1 || !sameMail(readFile(t, files[0]), first.Raw) {
		t.Fatalf("first sync: %d files\n%s", len(files), out1)
	}
	info1, _ := os.Stat(files[0])
	second := e.post(t, e.team, "bob@example.net", "Second", "Two.")
	out2 := sync()
	files = maildirFiles(t, filepath.Join(dir, "team"))
	if len(files) != 2 {
		t.Fatalf("second sync: %d files\n%s", len(files), out2)
	}
	var newer []byte
	for _, f := range files {
		if b := readFile(t, f); !sameMail(b, first.Raw) {
			newer = b
		}
	}
	if !sameMail(newer, second.Raw) {
		t.Errorf("the second post's file differs from the stored bytes")
	}
	if info, err := os.Stat(files[0]); err == nil && !info.ModTime().Equal(info1.ModTime()) {
		t.Errorf("the first post was written again")
	}
	// The protocol transcript (-Dn): one body fetched each time, the
	// second time by the new post's UID only.
	if n := strings.Count(out1, "BODY.PEEK[]"); n != 1 {
		t.Errorf("first sync fetched %d bodies, want 1:\n%s", n, out1)
	}
	if n := strings.Count(out2, "BODY.PEEK[]"); n != 1 || !strings.Contains(out2, fmt.Sprintf("UID FETCH %d (", second.UID)) {
		t.Errorf("second sync fetched %d bodies, want 1 (UID %d):\n%s", n, second.UID, out2)
	}
}

// sameMail compares a Maildir file with the stored bytes: Maildir keeps
// LF line ends, and mbsync adds its own X-TUID field.
func sameMail(file, stored []byte) bool {
	var kept [][]byte
	for _, l := range bytes.SplitAfter(file, []byte("\n")) {
		if !bytes.HasPrefix(l, []byte("X-TUID: ")) {
			kept = append(kept, l)
		}
	}
	return bytes.Equal(bytes.Join(kept, nil), bytes.ReplaceAll(stored, []byte("\r\n"), []byte("\n")))
}

func maildirFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"cur", "new"} {
		es, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatalf("maildir: %v", err)
		}
		for _, e := range es {
			out = append(out, filepath.Join(dir, sub, e.Name()))
		}
	}
	return out
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIMAPMutt: mutt in batch mode opens a list over IMAP and saves its
// posts to an mbox; both posts arrive with their subjects.
func TestIMAPMutt(t *testing.T) {
	mutt := mailtools.Need(t, "mutt")
	e := startIMAP(t, t.TempDir()+"/l.db")
	pw := e.appPassword(t, "ann@example.net")
	e.post(t, e.team, "bob@example.net", "Read by mutt", "Body one.")
	e.post(t, e.team, "ann@example.net", "Also read by mutt", "Body two.")
	dir := t.TempDir()
	mbox := filepath.Join(dir, "saved.mbox")
	rc := filepath.Join(dir, "muttrc")
	conf := fmt.Sprintf(`set imap_user = "ann@example.net"
set imap_pass = "%s"
set folder = "imap://%s/"
set ssl_starttls = no
set ssl_force_tls = no
set imap_passive = no
set mbox_type = mbox
set confirmcreate = no
set confirmappend = no
set move = no
set delete = no
set imap_delim_chars = "/"
set header_cache = ""
set message_cachedir = ""
set certificate_file = "%s/certs"
`, pw, e.imapAddr(), dir)
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// Tag every message and save them: mutt's batch mode reads the
	// mailbox as a person's client would.
	args := []string{"-n", "-F", rc, "-f", "imap://" + e.imapAddr() + "/Lists/team@lists.example.org",
		"-e", "push '<tag-pattern>~A<enter><tag-prefix><copy-message>" + mbox + "<enter><quit>'"}
	t0 := time.Now()
	out, err := runPTY(t, mutt, args, "TERM=dumb", "HOME="+dir)
	t.Logf("mutt took %v", time.Since(t0))
	if err != nil {
		t.Logf("mutt: %v\n%s", err, out)
	}
	b, err := os.ReadFile(mbox)
	if err != nil {
		t.Fatalf("mutt saved nothing: %v\n%s", err, out)
	}
	for _, want := range []string{"Subject: Read by mutt", "Subject: Also read by mutt", "Body one.", "Body two."} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("mutt's mbox lacks %q:\n%s", want, b)
		}
	}
}

// runPTY runs a full-screen client under script(1), which gives it a
// terminal, with a deadline.
func runPTY(t *testing.T, name string, args []string, env ...string) (string, error) {
	t.Helper()
	script := mailtools.Need(t, "script")
	cmdline := shellQuote(name)
	for _, a := range args {
		cmdline += " " + shellQuote(a)
	}
	return run(t, script, []string{"-q", "-e", "-c", cmdline, "/dev/null"}, env...)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
