package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat; it
// is 100 on every Linux architecture Go supports.
const clockTicks = 100

// procStatusKB returns a "kB" field (VmRSS, VmHWM, …) of /proc/PID/status.
func procStatusKB(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		name, rest, ok := bytes.Cut(line, []byte(":"))
		if !ok || string(name) != field {
			continue
		}
		f := strings.Fields(string(rest)) // "123456 kB"
		if len(f) == 0 {
			break
		}
		return strconv.ParseInt(f[0], 10, 64)
	}
	return 0, fmt.Errorf("/proc/%d/status: no %s", pid, field)
}

// procCPUSeconds returns utime+stime of the process in seconds.
func procCPUSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad utime/stime", pid)
	}
	return float64(utime+stime) / clockTicks, nil
}

// procSyscalls returns syscr+syscw of /proc/PID/io: the read and write
// system calls the process has made.
func procSyscalls(pid int) (int64, error) {
	r, err1 := procStatusFile(fmt.Sprintf("/proc/%d/io", pid), "syscr")
	w, err2 := procStatusFile(fmt.Sprintf("/proc/%d/io", pid), "syscw")
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/io: %w", pid, errors.Join(err1, err2))
	}
	return r + w, nil
}

// rssSampler reads VmRSS every interval until stopped and keeps the peak.
type rssSampler struct {
	pid     int
	stopCh  chan struct{}
	wg      sync.WaitGroup
	peakKB  int64
	samples int
	err     error
}

func startRSSSampler(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{pid: pid, stopCh: make(chan struct{})}
	s.sample()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stopCh:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *rssSampler) sample() {
	kb, err := procStatusKB(s.pid, "VmRSS")
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return
	}
	s.samples++
	if kb > s.peakKB {
		s.peakKB = kb
	}
}

// stop takes a last sample and returns the peak VmRSS in kB.
func (s *rssSampler) stop() (peakKB int64, samples int, err error) {
	close(s.stopCh)
	s.wg.Wait()
	s.sample()
	return s.peakKB, s.samples, s.err
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// systemBusySeconds is the CPU time all processes have used since boot
// (user+nice+system+irq+softirq+steal of the "cpu" line of /proc/stat).
func systemBusySeconds() (float64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: %v", err)
		}
		busy += n
	}
	return float64(busy) / clockTicks, nil
}

// cpuSnapshot is the CPU used so far by the server, by this benchmark
// (client and in-process sink), by each PostgreSQL process and by the whole
// machine.
type cpuSnapshot struct {
	server, bench, sink, system float64
	postgres                    map[int]float64
}

// takeCPU reads the CPU used so far; serverPID and sinkPID are 0 when
// there is no such process (an in-process sink).
func takeCPU(srv *server, sinkPID int) (cpuSnapshot, error) {
	var s cpuSnapshot
	var err error
	if srv != nil {
		s.postgres = postgresCPU(srv.pgDatabase)
		if s.server, err = procCPUSeconds(srv.pid); err != nil {
			return s, err
		}
	}
	if sinkPID != 0 {
		if s.sink, err = procCPUSeconds(sinkPID); err != nil {
			return s, err
		}
	}
	if s.bench, err = procCPUSeconds(os.Getpid()); err != nil {
		return s, err
	}
	s.system, err = systemBusySeconds()
	return s, err
}

// postgresCPU returns the CPU seconds of the PostgreSQL processes that
// work for database db, by pid: its client backends and the server's
// own background processes (WAL writer, checkpointer), not other
// databases' backends (other work on the machine). None when db is "".
func postgresCPU(db string) map[int]float64 {
	out := map[int]float64{}
	if db == "" {
		return out
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || strings.TrimSpace(string(b)) != "postgres" {
			continue
		}
		if cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err != nil || !pgServes(string(cmd), db) {
			continue
		}
		if cpu, err := procCPUSeconds(pid); err == nil {
			out[pid] = cpu
		}
	}
	return out
}

// pgServes reports whether a postgres process whose title is cmd works
// for db: a client backend's title is "postgres: CLUSTER: USER DB
// HOST(PORT) STATE", a background process's "postgres: CLUSTER: NAME".
func pgServes(cmd, db string) bool {
	f := strings.Fields(strings.TrimRight(cmd, "\x00"))
	if len(f) >= 5 && (strings.Contains(f[4], "(") || f[4] == "[local]") {
		return f[3] == db
	}
	return true
}

// cpuUse is what each used between two snapshots. Postgres is every
// PostgreSQL process (backends that exited in between are missed); Other is
// every other process on the machine (a busy machine skews the results).
type cpuUse struct {
	Server   float64 `json:"server_cpu_seconds"`
	Bench    float64 `json:"bench_cpu_seconds"`
	Sink     float64 `json:"sink_cpu_seconds"` // Postfix's smtp-sink; 0 for the in-process sink (in Bench)
	Postgres float64 `json:"postgres_cpu_seconds"`
	Other    float64 `json:"other_cpu_seconds"`
}

func (a cpuSnapshot) until(b cpuSnapshot) cpuUse {
	u := cpuUse{Server: b.server - a.server, Bench: b.bench - a.bench, Sink: b.sink - a.sink}
	for pid, cpu := range b.postgres {
		u.Postgres += cpu - a.postgres[pid] // a new backend counts whole
	}
	u.Other = max(0, (b.system-a.system)-u.Server-u.Bench-u.Sink-u.Postgres)
	return u
}

// otherPercent is the other processes' CPU as a share of the whole
// machine (all cores) over secs: what a busy machine took from the run.
func (u cpuUse) otherPercent(secs float64) float64 {
	if secs <= 0 {
		return 0
	}
	return 100 * u.Other / (secs * float64(runtime.NumCPU()))
}
