package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/internal/postfix"
)

// TestBackupDuringIntake: a backup taken while posts flow over SMTP holds
// every post acknowledged before it began; it restores into a fresh data
// directory; restore is refused while serve holds the data directory.
func TestBackupDuringIntake(t *testing.T) {
	c := backends[0].newCLI(t)
	c.ok("list", "create", "team@example.org", "--policy", "open")
	c.ok("member", "add", "team@example.org", "ann@example.org")
	smtpAddr := postfix.FreeAddr(t)
	srv := c.startServe(postfix.FreeAddr(t), "--smtp", smtpAddr, "--imap", "off", "--delivery", "off")

	var (
		mu    sync.Mutex
		acked = map[string]time.Time{} // Message-ID -> when 250 came back
		stop  = make(chan struct{})
		done  = make(chan error, 1)
	)
	go func() {
		cl, err := smtp.Dial(smtpAddr)
		if err != nil {
			done <- err
			return
		}
		defer cl.Close()
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			id := fmt.Sprintf("p%d@example.net", i)
			raw := "From: x@example.net\r\nTo: team@example.org\r\nSubject: n" + id + "\r\nMessage-ID: <" + id + ">\r\n\r\nbody\r\n"
			if err := cl.SendMail("x@example.net", []string{"team@example.org"}, strings.NewReader(raw)); err != nil {
				done <- err
				return
			}
			mu.Lock()
			acked[id] = time.Now()
			mu.Unlock()
		}
	}()
	waitN := func(n int) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			got := len(acked)
			mu.Unlock()
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("only %d posts acknowledged", got)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitN(20)
	file := filepath.Join(t.TempDir(), "backup.db")
	began := time.Now()
	out := c.ok("backup", file)
	if !strings.Contains(out, "backed up") {
		t.Errorf("backup printed %q", out)
	}
	mu.Lock()
	n := len(acked)
	mu.Unlock()
	waitN(n + 5) // intake went on during and after the backup
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("sending: %v", err)
	}

	// Refused while serve runs on the data directory.
	c.fails(1, []string{"serve is running", "stop it first"}, "restore", file)
	c.fails(2, []string{"already exists"}, "backup", file)

	fresh := t.TempDir()
	r := c.runEnv(nil, "restore", file, "--data", fresh)
	if r.code != 0 {
		t.Fatalf("restore into a fresh data directory: %s", r)
	}
	restored := filepath.Join(fresh, "listserv.db")
	db, err := sql.Open("sqlite", "file:"+restored+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	have := map[string]bool{}
	rows, err := db.Query(`SELECT message_id FROM messages`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		have[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	before := 0
	for id, at := range acked {
		if at.Before(began) {
			before++
			if !have[id] {
				t.Errorf("%s was acknowledged before the backup began but is not in it", id)
			}
		}
	}
	if before < 20 {
		t.Errorf("only %d posts before the backup", before)
	}
	t.Logf("%d posts acknowledged before the backup, %d in it, %d in all", before, len(have), len(acked))
	// The restored store works for the CLI.
	r = c.runEnv(nil, "list", "ls", "--data", fresh)
	if r.code != 0 || !strings.Contains(r.stdout, "team@example.org") {
		t.Errorf("list ls on the restored store: %s", r)
	}
	// Once serve has stopped, restore over the old store keeps it aside.
	srv.stop()
	out = c.ok("restore", file)
	if !strings.Contains(out, "before-restore-") {
		t.Errorf("restore over an existing store printed %q", out)
	}
}
