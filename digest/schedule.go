package digest

import (
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // members' zones must load on images without zoneinfo
)

// Periods.
const (
	Daily  = "daily"
	Weekly = "weekly"
)

// Defaults: 07:00 every day, or Mondays at 07:00, in London.
const (
	DefaultHour    = 7
	DefaultWeekday = time.Monday
	DefaultZone    = "Europe/London"
)

// ErrBadSchedule: an hour, weekday, period or zone that cannot be used.
var ErrBadSchedule = errors.New("bad digest schedule")

// Schedule is when one member's digest is due.
type Schedule struct {
	Period  string // Daily or Weekly
	Hour    int    // 0-23, local wall-clock hour
	Weekday time.Weekday
	Zone    string // IANA name, e.g. Europe/London
}

// DefaultSchedule is the schedule of a member who chose only the period.
func DefaultSchedule(period string) Schedule {
	return Schedule{Period: period, Hour: DefaultHour, Weekday: DefaultWeekday, Zone: DefaultZone}
}

// Location loads the schedule's zone.
func (s Schedule) Location() (*time.Location, error) {
	if s.Zone == "" || s.Zone == "Local" {
		return nil, fmt.Errorf("%w: time zone %q", ErrBadSchedule, s.Zone)
	}
	if loc, ok := zones.Load(s.Zone); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(s.Zone)
	if err != nil {
		return nil, fmt.Errorf("%w: time zone %q", ErrBadSchedule, s.Zone)
	}
	zones.Store(s.Zone, loc)
	return loc, nil
}

// zones memoises loaded zones: time.LoadLocation parses the zone data on
// every call, which was a tenth of a digest run's CPU (several calls per
// member). A *time.Location never changes, so sharing them is safe.
var zones sync.Map

// Validate reports the first field that cannot be used.
func (s Schedule) Validate() error {
	if s.Period != Daily && s.Period != Weekly {
		return fmt.Errorf("%w: period %q", ErrBadSchedule, s.Period)
	}
	if s.Hour < 0 || s.Hour > 23 {
		return fmt.Errorf("%w: hour %d", ErrBadSchedule, s.Hour)
	}
	if s.Weekday < time.Sunday || s.Weekday > time.Saturday {
		return fmt.Errorf("%w: weekday %d", ErrBadSchedule, s.Weekday)
	}
	_, err := s.Location()
	return err
}

// Next is the first due time strictly after after. Each local date maps
// to one instant (time.Date picks one side of a repeated hour and moves a
// missing one forward), and the dates are walked in order, so a digest is
// never skipped or sent twice on a changeover day.
func (s Schedule) Next(after time.Time) (time.Time, error) {
	if err := s.Validate(); err != nil {
		return time.Time{}, err
	}
	loc, _ := s.Location()
	l := after.In(loc)
	// Start a day early: a missing midnight may normalise to the evening
	// before, and that instant can still lie after after.
	for d := -1; d <= 8; d++ {
		c := time.Date(l.Year(), l.Month(), l.Day()+d, s.Hour, 0, 0, 0, loc)
		if s.Period == Weekly && time.Date(l.Year(), l.Month(), l.Day()+d, 12, 0, 0, 0, loc).Weekday() != s.Weekday {
			continue
		}
		if c.After(after) {
			return c, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: no due time after %s", ErrBadSchedule, after)
}

// Human says when a due time is, in the member's zone:
// "Monday 7 December, 07:00".
func Human(t time.Time, s Schedule) string {
	if loc, err := s.Location(); err == nil {
		t = t.In(loc)
	}
	return t.Format("Monday 2 January, 15:04")
}
