package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// report is everything printed, and the JSON written by -json.
type report struct {
	Date           string         `json:"date"`
	Command        string         `json:"command"`
	Source         string         `json:"source"` // git commit of the server measured
	Machine        machine        `json:"machine"`
	Settings       settings       `json:"settings"`
	SMTPSource     *sourceResult  `json:"smtp_source"` // null when not measured
	SMTPSourceNote string         `json:"smtp_source_note,omitempty"`
	Results        []result       `json:"results"`
	Signing        *signingResult `json:"dkim_signing,omitempty"` // dkim.go
}

type machine struct {
	NProc     int     `json:"nproc"`
	CPU       string  `json:"cpu,omitempty"`
	MemGiB    float64 `json:"mem_gib,omitempty"`
	OS        string  `json:"os"`
	Kernel    string  `json:"kernel,omitempty"`
	GoVersion string  `json:"go_version"`
}

type settings struct {
	Stores        []string `json:"stores"`
	Members       []int    `json:"members"`
	Workers       int      `json:"workers"`    // 0: the server's default
	ChunkSize     int      `json:"chunk_size"` // 0: the server's default
	Sink          string   `json:"sink"`
	IntakeClients int      `json:"intake_clients"`
	IntakeSeconds float64  `json:"intake_seconds"`
	PostBytes     int      `json:"post_bytes"`
}

// result is one row: the table's columns first, then the details.
type result struct {
	Store                      string   `json:"store"`
	Members                    int      `json:"members"`
	ImportSeconds              float64  `json:"import_seconds"`
	ImportRowsPerSec           float64  `json:"import_rows_per_sec"`
	FanoutSeconds              float64  `json:"fanout_seconds"`
	FanoutRcptPerSec           float64  `json:"fanout_rcpt_per_sec"`
	DigestCopiesPerSec         float64  `json:"digest_copies_per_sec"`
	RatioToSMTPSource          *float64 `json:"fanout_ratio_to_smtp_source"` // null: n/a
	PeakRSSMB                  float64  `json:"peak_rss_mb"`
	CPUSeconds                 float64  `json:"cpu_seconds"`
	IntakePausedPostsPerSec    float64  `json:"intake_paused_posts_per_sec"`
	IntakeDeliveryPostsPerSec  float64  `json:"intake_delivery_posts_per_sec"`
	IntakeDeliveryCopiesPerSec float64  `json:"intake_delivery_copies_per_sec"`

	FanoutOtherCPUPercent float64  `json:"fanout_other_cpu_percent"`
	IdleCPUPercent        *float64 `json:"idle_cpu_percent_of_a_core"` // null: not measured

	Fanout         *fanoutResult `json:"fanout,omitempty"`
	Digest         *digestResult `json:"digest,omitempty"`
	Idle           *idleResult   `json:"idle,omitempty"`
	IntakePaused   *intakeResult `json:"intake_paused,omitempty"`
	IntakeDelivery *intakeResult `json:"intake_delivery,omitempty"`
	CPUProfile     string        `json:"cpu_profile,omitempty"`
	Error          string        `json:"error,omitempty"`
	DKIM           *dkimFanout   `json:"dkim_fanout,omitempty"` // dkim.go
}

// fill copies the details into the table columns.
func (r *result) fill(src *sourceResult) {
	if f := r.Fanout; f != nil {
		r.FanoutSeconds, r.FanoutRcptPerSec = f.Seconds, f.RcptPerSec
		r.PeakRSSMB, r.CPUSeconds = f.PeakRSSMB, f.CPUSeconds
		r.FanoutOtherCPUPercent = f.CPUUse.otherPercent(f.Seconds)
		if src != nil && src.MsgsPerSec > 0 {
			ratio := f.RcptPerSec / src.MsgsPerSec
			r.RatioToSMTPSource = &ratio
		}
	}
	if d := r.Digest; d != nil {
		r.DigestCopiesPerSec = d.CopiesPerSec
	}
	if i := r.Idle; i != nil {
		r.IdleCPUPercent = &i.ServerPercent
	}
	if p := r.IntakePaused; p != nil {
		r.IntakePausedPostsPerSec = p.PostsPerSec
	}
	if d := r.IntakeDelivery; d != nil {
		r.IntakeDeliveryPostsPerSec, r.IntakeDeliveryCopiesPerSec = d.PostsPerSec, d.CopiesPerSec
	}
}

func (rep *report) failed() int {
	n := 0
	for _, r := range rep.Results {
		if r.Error != "" {
			n++
		}
	}
	return n
}

func newReport(cfg *config, stores []string) *report {
	sink := "in-process Go smtpsink (CountOnly)"
	if cfg.sink == "postfix" {
		sink = "Postfix smtp-sink"
	}
	return &report{
		Date:    time.Now().UTC().Format(time.RFC3339),
		Machine: machineInfo(),
		Settings: settings{Stores: stores, Members: cfg.members, Workers: cfg.workers, ChunkSize: cfg.chunkSize,
			Sink: sink, IntakeClients: cfg.intakeClients, IntakeSeconds: cfg.intakeSeconds,
			PostBytes: len(post(memberAddr(1), benchList, "x", "x@x", time.Now()))},
	}
}

func machineInfo() machine {
	m := machine{NProc: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if kb, err := procStatusFile("/proc/meminfo", "MemTotal"); err == nil {
		m.MemGiB = float64(kb) / (1 << 20)
	}
	return m
}

// procStatusFile reads a "Name: N kB" field from a /proc file.
func procStatusFile(path, field string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == field {
			if f := strings.Fields(v); len(f) > 0 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("%s: no %s", path, field)
}

func printReport(w io.Writer, rep *report) {
	m, s := rep.Machine, rep.Settings
	fmt.Fprintf(w, "\nlistserv-bench %s\n", rep.Date)
	fmt.Fprintf(w, "machine:  nproc %d, %s, %.1f GiB, %s %s, %s\n", m.NProc, m.CPU, m.MemGiB, m.OS, m.Kernel, m.GoVersion)
	fmt.Fprintf(w, "command:  %s\n", rep.Command)
	fmt.Fprintf(w, "source:   %s\n", rep.Source)
	fmt.Fprintf(w, "settings: workers %s, chunk size %s, relay %s, intake %d clients × %gs, posts of %d bytes\n",
		orDefault(s.Workers, "8"), orDefault(s.ChunkSize, "200"), s.Sink, s.IntakeClients, s.IntakeSeconds, s.PostBytes)
	if src := rep.SMTPSource; src != nil {
		fmt.Fprintf(w, "postfix:  %s: %d messages in %.2fs = %.0f msg/s (%.0f%%)\n", src.Command, src.Messages, src.Seconds, src.MsgsPerSec, src.OtherCPUShare)
	} else {
		fmt.Fprintf(w, "postfix:  %s\n", rep.SMTPSourceNote)
	}
	fmt.Fprintln(w, "(n%) beside a figure: CPU other processes used meanwhile, as a share of all cores; idle: the server's CPU at rest after the fan-out, % of one core")
	fmt.Fprintln(w)
	printTable(w, rep.Results)
	for _, r := range rep.Results {
		if r.Error != "" {
			fmt.Fprintf(w, "\n%s, %d members FAILED: %s\n", r.Store, r.Members, r.Error)
		}
		busy := func(what string, u cpuUse, secs float64) {
			if u.Other > 0.25 && u.Other > 0.1*secs*float64(rep.Machine.NProc) {
				fmt.Fprintf(w, "%s, %d members: other processes used %.1f CPU s during the %.1f s %s: the machine was busy\n",
					r.Store, r.Members, u.Other, secs, what)
			}
		}
		if f := r.Fanout; f != nil {
			fmt.Fprintf(w, "%s, %d members: fan-out: %.1f read+write system calls per copy\n", r.Store, r.Members, f.SyscallsPerCopy)
			busy("fan-out", f.CPUUse, f.Seconds)
			if f.Copies != int64(r.Members) {
				fmt.Fprintf(w, "%s, %d members: the sink received %d copies of the post, not %d\n", r.Store, r.Members, f.Copies, r.Members)
			}
		}
		if d := r.Digest; d != nil {
			fmt.Fprintf(w, "%s, %d members: digests: %d copies of %d bytes in %.2f s (digest send --now queued them in %.2f s; the first reached the sink after %.2f s), one post\n",
				r.Store, r.Members, d.Copies, d.Bytes, d.Seconds, d.QueueSeconds, d.FirstSeconds)
			busy("digests", d.CPUUse, d.Seconds)
			if f := d.SameSize; f != nil {
				cpu, rate := d.costRatio()
				fmt.Fprintf(w, "%s, %d members: a fan-out of a %d-byte post: %.2f s, %.0f rcpt/s; digests: %.2f× its copies per second, %.2f× its CPU (server %.2f + command %.2f + PostgreSQL %.2f s against server %.2f + PostgreSQL %.2f s)\n",
					r.Store, r.Members, d.Bytes, f.Seconds, f.RcptPerSec, rate, cpu, d.CPUUse.Server, d.CommandCPU,
					d.CPUUse.Postgres, f.CPUUse.Server, f.CPUUse.Postgres)
				busy("same-size fan-out", f.CPUUse, f.Seconds)
			}
		}
		for name, in := range map[string]*intakeResult{"paused": r.IntakePaused, "with delivery": r.IntakeDelivery} {
			if in != nil {
				busy("intake "+name, in.CPUUse, in.Seconds)
			}
			if in != nil && in.Errors > 0 {
				fmt.Fprintf(w, "%s, %d members: intake %s: %d posts refused, first: %s\n", r.Store, r.Members, name, in.Errors, in.FirstError)
			}
		}
	}
}

func printTable(w io.Writer, rs []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tmembers\timport s\timport rows/s\tfan-out s\tfan-out rcpt/s\tdigest copies/s\tvs smtp-source -d\tpeak RSS MB\tCPU s\tidle CPU %\tintake paused posts/s\tintake+delivery posts/s\tdelivery copies/s\t")
	for _, r := range rs {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%d\t%s\tFAILED\t\t\t\t\t\t\t\t\t\t\t\n", r.Store, r.Members, num(r.ImportSeconds, 2))
			continue
		}
		ratio, idle := "n/a", "-"
		if r.RatioToSMTPSource != nil {
			ratio = fmt.Sprintf("%.2fx", *r.RatioToSMTPSource)
		}
		if r.IdleCPUPercent != nil {
			idle = fmt.Sprintf("%.1f", *r.IdleCPUPercent)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Store, r.Members,
			num(r.ImportSeconds, 2), num(r.ImportRowsPerSec, 0), num(r.FanoutSeconds, 2),
			withOther(num(r.FanoutRcptPerSec, 0), r.FanoutOtherCPUPercent),
			withOther(num(r.DigestCopiesPerSec, 0), otherOfDigest(r.Digest)), ratio,
			num(r.PeakRSSMB, 1), num(r.CPUSeconds, 2), idle,
			withOther(num(r.IntakePausedPostsPerSec, 0), otherOf(r.IntakePaused)),
			withOther(num(r.IntakeDeliveryPostsPerSec, 0), otherOf(r.IntakeDelivery)),
			num(r.IntakeDeliveryCopiesPerSec, 0))
	}
	tw.Flush()
}

// withOther puts the other processes' CPU share beside a figure.
func withOther(fig string, pct float64) string {
	if fig == "-" {
		return fig
	}
	return fmt.Sprintf("%s (%.0f%%)", fig, pct)
}

func otherOf(in *intakeResult) float64 {
	if in == nil {
		return 0
	}
	return in.CPUUse.otherPercent(in.Seconds)
}

func orDefault(v int, def string) string {
	if v == 0 {
		return def + " (default)"
	}
	return strconv.Itoa(v)
}

func num(v float64, prec int) string {
	if v == 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

func writeJSON(path string, rep *report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// commandLine is the command as a user would type it again.
func commandLine(args []string) string {
	var parts []string
	if v := os.Getenv(pgEnv); v != "" {
		parts = append(parts, pgEnv+"="+shellQuote(redactURL(v)))
	}
	exe := os.Args[0]
	if strings.Contains(exe, "go-build") {
		exe = "go run ./cmd/listserv-bench"
	}
	parts = append(parts, exe)
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func joinArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:,=@+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
