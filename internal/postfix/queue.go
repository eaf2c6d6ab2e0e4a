package postfix

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Queued is one message in Postfix's queue (a line of `postqueue -j`).
type Queued struct {
	Queue      string `json:"queue_name"` // incoming, active, deferred, hold...
	ID         string `json:"queue_id"`
	Sender     string `json:"sender"`
	Recipients []Rcpt `json:"recipients"`
}

// Rcpt is a recipient still to be delivered; Reason says why it was deferred.
type Rcpt struct {
	Address string `json:"address"`
	Reason  string `json:"delay_reason"`
}

// Queue lists the messages Postfix holds.
func (p *Instance) Queue(ctx context.Context) ([]Queued, error) {
	out, err := run(ctx, "postqueue", "-c", p.Conf, "-j")
	if err != nil {
		return nil, err
	}
	var qs []Queued
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var q Queued
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("postqueue -j: %w: %q", err, sc.Text())
		}
		qs = append(qs, q)
	}
	return qs, nil
}

// Flush asks Postfix to retry every deferred message now.
func (p *Instance) Flush(ctx context.Context) error {
	_, err := run(ctx, "postqueue", "-c", p.Conf, "-f")
	return err
}

// cleanup stops Postfix, waits for its master to exit and removes p.Dir.
func (p *Instance) cleanup() {
	if p.t.Failed() {
		p.t.Logf("postfix log:\n%s", p.Log())
	}
	pid := p.masterPID()
	if pid > 0 {
		if _, err := run(context.Background(), "postfix", "-c", p.Conf, "stop"); err != nil {
			p.t.Errorf("postfix stop: %v", err)
		}
		p.waitGone(pid)
	}
	if err := os.RemoveAll(p.Dir); err != nil {
		p.t.Errorf("remove postfix directory: %v", err)
	}
}

func (p *Instance) masterPID() int {
	b, err := os.ReadFile(filepath.Join(p.Dir, "queue", "pid", "master.pid"))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}

// waitGone waits for the master (which stops its children first) to exit,
// and kills it after 10 s.
func (p *Instance) waitGone(pid int) {
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			p.t.Errorf("postfix master %d still running after stop; killing it", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
