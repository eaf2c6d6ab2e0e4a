package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// A SQLite data directory's serve lock: every serve holds a shared flock
// on DATA/listserv.lock for its whole run (the kernel drops it when the
// process dies, so a crash leaves no stale lock); restore takes it
// exclusively, so it cannot replace the file under a running server.
const lockName = "listserv.lock"

// errServing: a serve holds the data directory.
var errServing = errors.New("listserv serve is running on this data directory")

// lockData takes the lock on dbPath's directory; exclusive for restore.
// The returned file holds it until closed.
func lockData(dbPath string, exclusive bool) (*os.File, error) {
	p := filepath.Join(filepath.Dir(dbPath), lockName)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s is locked): stop it first", errServing, p)
		}
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	return f, nil
}
