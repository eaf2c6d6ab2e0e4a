package digest

import (
	"context"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// SettingsStore is what saving a member's digest choices needs.
type SettingsStore interface {
	GetDigestState(ctx context.Context, memberID int64) (*store.DigestState, error)
	SetDigestSettings(ctx context.Context, s *store.DigestSettings) error
}

// Formats a member can choose ("" follows their HTML-or-plain choice).
var Formats = []string{store.DigestHTML, store.DigestPlain, store.DigestMIME, store.DigestSummary}

// SaveSettings checks and saves a member's hour, weekday, zone and format;
// ErrBadSchedule names what cannot be used.
func SaveSettings(ctx context.Context, st SettingsStore, s store.DigestSettings) error {
	if err := (Schedule{Period: Daily, Hour: s.Hour, Weekday: s.Weekday, Zone: s.Zone}).Validate(); err != nil {
		return err
	}
	switch s.Format {
	case "", store.DigestPlain, store.DigestMIME, store.DigestHTML, store.DigestSummary:
	default:
		return fmt.Errorf("%w: format %q", ErrBadSchedule, s.Format)
	}
	return st.SetDigestSettings(ctx, &s)
}

// NextDueAt is when the member's next digest goes out, seen at now (zero
// when they are not in digest mode): the stored time, or the schedule's
// next slot after their last digest.
func NextDueAt(d *store.DigestState, now time.Time) time.Time {
	if !d.Active {
		return time.Time{}
	}
	if !d.NextDue.IsZero() || d.FinalUpto > 0 {
		return d.NextDue
	}
	base := now
	if !d.LastSent.IsZero() && d.LastSent.Before(base) {
		base = d.LastSent
	}
	next, err := ScheduleOf(d).Next(base)
	if err != nil {
		return time.Time{}
	}
	return next
}

// NextText is "next digest: Monday 7 December, 07:00", or "" when the
// member is not in digest mode.
func NextText(d *store.DigestState, now time.Time) string {
	t := NextDueAt(d, now)
	if t.IsZero() {
		return ""
	}
	if !t.After(now) {
		return "next digest: now"
	}
	return "next digest: " + Human(t, ScheduleOf(d))
}

// Settings offers SaveSettings as a method over one store, for callers
// that take it as a value (the web pages).
type Settings struct{ St SettingsStore }

// SaveSettings is SaveSettings over s.St.
func (s Settings) SaveSettings(ctx context.Context, ds store.DigestSettings) error {
	return SaveSettings(ctx, s.St, ds)
}
