package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole benchmark once on a tiny list. It builds and
// starts the real server, so it runs only with LISTSERV_BENCH_SMOKE=1.
func TestSmoke(t *testing.T) {
	if os.Getenv("LISTSERV_BENCH_SMOKE") != "1" {
		t.Skip("set LISTSERV_BENCH_SMOKE=1 to run the benchmark smoke test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "bench.json")
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-members", "200", "-stores", "sqlite", "-intake-seconds", "1",
		"-smtp-source-messages", "2000", "-json", out}, &stdout, &stderr)
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "fan-out rcpt/s") || !strings.Contains(stdout.String(), "digest copies/s") || !strings.Contains(stdout.String(), "idle CPU %") {
		t.Error("no table printed, or no idle CPU column")
	}
	var rep report
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 {
		t.Fatalf("%d results, want 1", len(rep.Results))
	}
	r := rep.Results[0]
	if r.Store != "sqlite" || r.Members != 200 || r.Fanout == nil || r.Fanout.Copies < 200 ||
		r.FanoutRcptPerSec <= 0 || r.PeakRSSMB <= 0 || r.IntakePausedPostsPerSec <= 0 || r.IntakeDeliveryPostsPerSec <= 0 || r.IdleCPUPercent == nil {
		t.Errorf("implausible result: %+v", r)
	}
	if r.Digest == nil || r.Digest.Copies != 200 || r.DigestCopiesPerSec <= 0 {
		t.Errorf("digests: %+v, want 200 copies (one per digest member)", r.Digest)
	}
	if r.IntakePaused.Copies != 0 {
		t.Errorf("%d copies reached the sink with delivery off", r.IntakePaused.Copies)
	}
}
