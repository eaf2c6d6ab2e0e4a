package moderation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ErrInvalid marks (errors.Is) a setting, rule or pattern that is not
// acceptable; the error's text is the explanation alone.
var ErrInvalid = errors.New("invalid")

type invalidError string

func (e invalidError) Error() string        { return string(e) }
func (e invalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(format string, args ...any) error { return invalidError(fmt.Sprintf(format, args...)) }

// Change is a partial update of a list's settings: nil fields stay.
type Change struct {
	NewMemberPosts *int
	MaxRecipients  *int
	AcceptTypes    *string
	HoldDays       *int
}

// UpdateSettings applies c to a list's settings and stores them (audited
// as by). Turning new-member moderation on starts counting from now:
// members who joined before are trusted, or every existing member would
// suddenly be moderated.
func UpdateSettings(ctx context.Context, st SettingsStore, listID int64, c Change, by string) (*store.ListModeration, error) {
	s, err := st.ModerationSettings(ctx, listID)
	if err != nil {
		return nil, err
	}
	if v := c.NewMemberPosts; v != nil {
		if *v < 0 || *v > 1000 {
			return nil, invalid("new-member-posts must be 0 to 1000, not %d", *v)
		}
		if s.NewMemberPosts == 0 && *v > 0 {
			s.NewMemberSince = time.Now()
		}
		s.NewMemberPosts = *v
	}
	if v := c.MaxRecipients; v != nil {
		if *v < 0 {
			return nil, invalid("max-recipients must be 0 (no limit) or more, not %d", *v)
		}
		s.MaxRecipients = *v
	}
	if v := c.AcceptTypes; v != nil {
		t, err := ParseAcceptTypes(*v)
		if err != nil {
			return nil, err
		}
		s.AcceptTypes = t
	}
	if v := c.HoldDays; v != nil {
		if *v < 0 || *v > 365 {
			return nil, invalid("hold-days must be 0 (never expire) to 365, not %d", *v)
		}
		s.HoldDays = *v
	}
	return s, st.SetModerationSettings(ctx, s, by)
}

// SetRule validates and stores a sender rule.
func SetRule(ctx context.Context, st SettingsStore, listID int64, pattern, action, by string) (*store.SenderRule, error) {
	p, err := CheckPattern(pattern)
	if err != nil {
		return nil, err
	}
	if err := CheckRuleAction(action); err != nil {
		return nil, err
	}
	r := &store.SenderRule{ListID: listID, Pattern: p, Action: action, By: by}
	return r, st.SetSenderRule(ctx, r)
}

// CheckNotify validates a moderator's notification preference.
func CheckNotify(n string) error {
	if n == store.NotifyEach || n == store.NotifyDaily {
		return nil
	}
	return invalid("notify must be %s or %s, not %q", store.NotifyEach, store.NotifyDaily, n)
}

// SetNotify stores how a moderator or owner of a list wants to hear of
// held items (every notice or a daily summary).
func SetNotify(ctx context.Context, st SettingsStore, listID int64, address, notify string) error {
	if err := CheckNotify(notify); err != nil {
		return err
	}
	return st.SetStaffNotify(ctx, listID, address, notify)
}
