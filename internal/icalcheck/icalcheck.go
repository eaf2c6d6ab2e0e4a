// Package icalcheck reads iCalendar objects back in tests with a second,
// independent parser: Debian's python3-icalendar, run by /usr/bin/python3
// (not a pyenv python3 on PATH, which lacks the package). Without it a
// test is skipped, except under CI=true, where that is a failure
// (scripts/python-deps.sh installs it).
package icalcheck

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"
)

//go:embed icsdump.py
var script string

// Python is Debian's interpreter, which has python3-icalendar.
const Python = "/usr/bin/python3"

// Calendar is what python3-icalendar understood.
type Calendar struct {
	Method string   `json:"method"`
	Zones  []string `json:"zones"` // TZIDs of the VTIMEZONEs
	Events []Event  `json:"events"`
}

// Event is one VEVENT; times are Python isoformat strings.
type Event struct {
	UID          string `json:"uid"`
	Summary      string `json:"summary"`
	Description  string `json:"description"`
	TZID         string `json:"tzid"`
	Sequence     int    `json:"sequence"`
	AllDay       bool   `json:"all_day"`
	Start        string `json:"start"`
	End          string `json:"end"`
	LastModified string `json:"last_modified"`
	DTStamp      string `json:"dtstamp"`
	// StartVTZ is the wall time placed with the calendar's own VTIMEZONE.
	StartVTZ string `json:"start_vtz"`
}

// Available skips the test (fails it under CI=true) without the parser.
func Available(t testing.TB) {
	t.Helper()
	err := exec.Command(Python, "-c", "import icalendar").Run()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s cannot import icalendar (%v); scripts/python-deps.sh installs python3-icalendar", Python, err)
	}
	t.Skipf("python3-icalendar missing (%v)", err)
}

// Parse reads ics with python3-icalendar.
func Parse(t testing.TB, ics []byte) *Calendar {
	t.Helper()
	Available(t)
	cmd := exec.Command(Python, "-c", script)
	cmd.Stdin = bytes.NewReader(ics)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("python3-icalendar could not read the calendar: %v\n%s\n%s", err, errb.String(), ics)
	}
	var c Calendar
	if err := json.Unmarshal(out.Bytes(), &c); err != nil {
		t.Fatalf("icsdump output: %v\n%s", err, out.String())
	}
	return &c
}

// Time reads a Python isoformat date-time with its offset.
func Time(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02T15:04:05-07:00", s)
	if err != nil {
		t.Fatalf("python time %q: %v", s, err)
	}
	return v
}
