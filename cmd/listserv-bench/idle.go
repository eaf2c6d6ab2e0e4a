package main

import (
	"context"
	"time"
)

// idleResult is the server at rest after it handled the fan-out: an idle
// server must cost nothing (every loop sleeps until a wake-up or its poll).
type idleResult struct {
	Seconds         float64 `json:"seconds"`
	ServerPercent   float64 `json:"server_percent_of_a_core"`
	PostgresPercent float64 `json:"postgres_percent_of_a_core"` // every PostgreSQL process, this run's and others'
	CPUUse          cpuUse  `json:"cpu_use"`
}

// idleSettle is how long the server is left alone before measuring, so
// the fan-out's last chunk completions and housekeeping are over.
const idleSettle = 2 * time.Second

// measureIdle reads the server's utime+stime from /proc over dur after a
// short settle, as the project's idle check does.
func measureIdle(ctx context.Context, srv *server, sink relaySink, dur time.Duration) (*idleResult, error) {
	if !sleepCtx(ctx, idleSettle) {
		return nil, ctx.Err()
	}
	cpu0, err := takeCPU(srv, sink.PID())
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if !sleepCtx(ctx, dur) {
		return nil, ctx.Err()
	}
	cpu1, err := takeCPU(srv, sink.PID())
	if err != nil {
		return nil, err
	}
	if err := srv.exited(); err != nil {
		return nil, err
	}
	r := &idleResult{Seconds: time.Since(start).Seconds(), CPUUse: cpu0.until(cpu1)}
	r.ServerPercent = 100 * r.CPUUse.Server / r.Seconds
	r.PostgresPercent = 100 * r.CPUUse.Postgres / r.Seconds
	return r, nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
