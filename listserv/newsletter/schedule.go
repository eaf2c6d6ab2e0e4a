package newsletter

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/digest"
)

// DefaultSchedule is when an issue goes out unless the editors chose.
const DefaultSchedule = "Mon 08:00 Europe/London"

// Schedule is a weekly slot: the digest engine's schedule plus minutes.
type Schedule struct {
	digest.Schedule
	Minute int
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseSchedule reads "Mon 08:00 Europe/London" (weekday, 24-hour
// time, IANA zone; the zone may be left out for London).
func ParseSchedule(s string) (Schedule, error) {
	f := strings.Fields(s)
	if len(f) == 2 {
		f = append(f, digest.DefaultZone)
	}
	bad := func(why string) (Schedule, error) {
		return Schedule{}, fmt.Errorf("%w: schedule %q: %s (want e.g. %q)", ErrInvalid, s, why, DefaultSchedule)
	}
	if len(f) != 3 {
		return bad("three parts expected")
	}
	day := strings.ToLower(f[0])
	if len(day) > 3 {
		day = day[:3]
	}
	wd, ok := weekdays[day]
	if !ok {
		return bad("unknown weekday " + f[0])
	}
	hh, mm, ok := strings.Cut(f[1], ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return bad("time must be HH:MM")
	}
	sc := Schedule{Schedule: digest.Schedule{Period: digest.Weekly, Hour: h, Weekday: wd, Zone: f[2]}, Minute: m}
	if err := sc.Validate(); err != nil {
		return bad("unknown time zone " + f[2])
	}
	return sc, nil
}

// String is the schedule as ParseSchedule reads it.
func (s Schedule) String() string {
	return fmt.Sprintf("%s %02d:%02d %s", s.Weekday.String()[:3], s.Hour, s.Minute, s.Zone)
}

// Next is the first slot strictly after after: the digest schedule's
// next hour, shifted by the minutes.
func (s Schedule) Next(after time.Time) (time.Time, error) {
	m := time.Duration(s.Minute) * time.Minute
	t, err := s.Schedule.Next(after.Add(-m))
	if err != nil {
		return time.Time{}, err
	}
	return t.Add(m), nil
}

// Loc is the schedule's zone (UTC if it no longer loads).
func (s Schedule) Loc() *time.Location {
	if l, err := s.Location(); err == nil {
		return l
	}
	return time.UTC
}
