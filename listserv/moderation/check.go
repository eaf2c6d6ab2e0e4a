package moderation

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/store"
)

// CheckChange reports whether UpdateSettings would accept c, storing
// nothing: a form that also changes other settings checks all its values
// before it saves any.
func CheckChange(c Change) error {
	_, err := UpdateSettings(context.Background(), dryRun{}, 0, c, "")
	return err
}

// Invalid is a bad-input error (errors.Is ErrInvalid) whose text is msg.
func Invalid(msg string) error { return invalidError(msg) }

// dryRun is a SettingsStore that keeps nothing.
type dryRun struct{}

func (dryRun) ModerationSettings(_ context.Context, listID int64) (*store.ListModeration, error) {
	return store.DefaultModeration(listID), nil
}
func (dryRun) SetModerationSettings(context.Context, *store.ListModeration, string) error { return nil }
func (dryRun) SetSenderRule(context.Context, *store.SenderRule) error                     { return nil }
func (dryRun) SetStaffNotify(context.Context, int64, string, string) error                { return nil }
