package moderation

import "context"

// ActionStore is what Actions needs: acting on held items and setting
// moderators' notification choices.
type ActionStore interface {
	ActStore
	SettingsStore
}

// Actions offers Act and SetNotify as methods over one store, for callers
// that take the moderation engine as a value (the web pages).
type Actions struct{ St ActionStore }

// Act is Act over a.St.
func (a Actions) Act(ctx context.Context, heldID int64, act Action, by, reason string) (*Outcome, error) {
	return Act(ctx, a.St, heldID, act, by, reason)
}

// SetNotify is SetNotify over a.St.
func (a Actions) SetNotify(ctx context.Context, listID int64, address, notify string) error {
	return SetNotify(ctx, a.St, listID, address, notify)
}
