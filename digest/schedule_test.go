package digest

import (
	"errors"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestScheduleNext(t *testing.T) {
	london := mustLoc(t, "Europe/London")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	daily := func(h int) Schedule { s := DefaultSchedule(Daily); s.Hour = h; return s }
	weekly := func(d time.Weekday, h int) Schedule { s := DefaultSchedule(Weekly); s.Weekday, s.Hour = d, h; return s }
	tests := []struct {
		name  string
		s     Schedule
		after string
		want  string
	}{
		{"daily later today", daily(7), "2026-12-07T05:00:00Z", "2026-12-07T07:00:00Z"},
		{"daily exactly due moves on", daily(7), "2026-12-07T07:00:00Z", "2026-12-08T07:00:00Z"},
		{"daily summer time", daily(7), "2026-07-01T07:00:00Z", "2026-07-02T06:00:00Z"},
		{"weekly default Monday", DefaultSchedule(Weekly), "2026-12-02T10:00:00Z", "2026-12-07T07:00:00Z"},
		{"weekly same day after hour", weekly(time.Monday, 7), "2026-12-07T07:00:01Z", "2026-12-14T07:00:00Z"},
		{"weekly Sunday 18:00", weekly(time.Sunday, 18), "2026-12-07T07:00:00Z", "2026-12-13T18:00:00Z"},
		// Spring forward, 29 March 2026: 01:00-02:00 local does not exist.
		{"spring 07:00 before", daily(7), "2026-03-28T07:00:00Z", "2026-03-29T06:00:00Z"},
		{"spring 07:00 after", daily(7), "2026-03-29T06:00:00Z", "2026-03-30T06:00:00Z"},
		{"spring missing hour is sent, not skipped", daily(1), "2026-03-28T01:00:00Z", "2026-03-29T01:00:00Z"},
		{"spring missing hour once", daily(1), "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"},
		{"spring midnight", daily(0), "2026-03-28T00:00:00Z", "2026-03-29T00:00:00Z"},
		{"spring weekly Sunday 01:00", weekly(time.Sunday, 1), "2026-03-25T00:00:00Z", "2026-03-29T01:00:00Z"},
		// Fall back, 25 October 2026: 01:00-02:00 local happens twice.
		{"autumn 07:00 before", daily(7), "2026-10-24T06:00:00Z", "2026-10-25T07:00:00Z"},
		{"autumn 07:00 after", daily(7), "2026-10-25T07:00:00Z", "2026-10-26T07:00:00Z"},
		{"autumn repeated hour once", daily(1), "2026-10-24T00:00:00Z", "2026-10-25T01:00:00Z"},
		{"autumn between the two 01:00s", daily(1), "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"},
		{"autumn repeated hour not again", daily(1), "2026-10-25T01:00:00Z", "2026-10-26T01:00:00Z"},
		{"other zone", Schedule{Period: Daily, Hour: 9, Zone: "America/New_York"}, "2026-12-07T12:00:00Z", "2026-12-07T14:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.s.Next(utc(tc.after))
			if err != nil {
				t.Fatal(err)
			}
			if want := utc(tc.want); !got.Equal(want) {
				t.Errorf("Next(%s) = %s (%s), want %s", tc.after, got.UTC(), got.In(london), want.UTC())
			}
		})
	}
}

// TestScheduleChangeoverDays walks every hour of the changeover weeks:
// each local date gets exactly one digest, at increasing instants.
func TestScheduleChangeoverDays(t *testing.T) {
	london := mustLoc(t, "Europe/London")
	for _, start := range []time.Time{
		time.Date(2026, 3, 26, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 22, 0, 0, 0, 0, time.UTC),
	} {
		for h := range 24 {
			s := DefaultSchedule(Daily)
			s.Hour = h
			seen := map[string]int{}
			at := start
			for range 7 {
				next, err := s.Next(at)
				if err != nil {
					t.Fatal(err)
				}
				if !next.After(at) {
					t.Fatalf("hour %d: Next(%s) = %s, not after", h, at, next)
				}
				seen[next.In(london).Format("2006-01-02")]++
				at = next
			}
			if len(seen) != 7 {
				t.Errorf("hour %d from %s: %d distinct dates in 7 digests: %v", h, start.Format("2 Jan"), len(seen), seen)
			}
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	bad := []Schedule{
		{Period: "hourly", Hour: 7, Zone: DefaultZone},
		{Period: Daily, Hour: 24, Zone: DefaultZone},
		{Period: Daily, Hour: -1, Zone: DefaultZone},
		{Period: Weekly, Hour: 7, Weekday: 7, Zone: DefaultZone},
		{Period: Daily, Hour: 7, Zone: "Mars/Olympus"},
		{Period: Daily, Hour: 7, Zone: ""},
	}
	for _, s := range bad {
		if _, err := s.Next(time.Now()); !errors.Is(err, ErrBadSchedule) {
			t.Errorf("%+v: err %v, want ErrBadSchedule", s, err)
		}
	}
	if err := DefaultSchedule(Weekly).Validate(); err != nil {
		t.Errorf("default weekly: %v", err)
	}
}

func TestHuman(t *testing.T) {
	s := DefaultSchedule(Weekly)
	got := Human(time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC), s)
	if want := "Monday 7 December, 07:00"; got != want {
		t.Errorf("Human = %q, want %q", got, want)
	}
	if got := Human(time.Date(2026, 7, 6, 6, 0, 0, 0, time.UTC), s); got != "Monday 6 July, 07:00" {
		t.Errorf("summer Human = %q", got)
	}
}
