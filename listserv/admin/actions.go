package admin

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// ActionStore is what Actions need: the owners' changes and the
// moderation settings.
type ActionStore interface {
	OwnerStore
	moderation.SettingsStore
}

// Actions are the owners' and site administrators' actions over one
// store, as the web calls them (the CLI calls the same functions).
type Actions struct{ St ActionStore }

// UpdateList is UpdateList over a.St.
func (a Actions) UpdateList(ctx context.Context, l *store.List, set map[string]string, by string) ([]string, error) {
	return UpdateList(ctx, a.St, l, set, by)
}

// UpdateModeration is moderation.UpdateSettings over a.St (`moderation set`).
func (a Actions) UpdateModeration(ctx context.Context, listID int64, c moderation.Change, by string) (*store.ListModeration, error) {
	return moderation.UpdateSettings(ctx, a.St, listID, c, by)
}

// AddMembers is AddMembers over a.St.
func (a Actions) AddMembers(ctx context.Context, l *store.List, ms []store.NewMember, by string) (int, int, error) {
	return AddMembers(ctx, a.St, l, ms, by)
}

// SetMember is SetMember over a.St.
func (a Actions) SetMember(ctx context.Context, l *store.List, address string, c MemberChange, by string) (*store.Member, error) {
	return SetMember(ctx, a.St, l, address, c, by)
}

// RemoveMember is RemoveMember over a.St, as an owner.
func (a Actions) RemoveMember(ctx context.Context, l *store.List, address, by string) (*store.Member, error) {
	return RemoveMember(ctx, a.St, l, address, "owner", by)
}

// EnableMember is EnableMember over a.St.
func (a Actions) EnableMember(ctx context.Context, l *store.List, address, by string) (*store.Member, error) {
	return EnableMember(ctx, a.St, l, address, by)
}

// CreateList is CreateList over a.St.
func (a Actions) CreateList(ctx context.Context, l *store.List, by string) error {
	return CreateList(ctx, a.St, l, by)
}

// RemoveList is RemoveList over a.St.
func (a Actions) RemoveList(ctx context.Context, l *store.List, purge bool, by string) (*store.ListFootprint, error) {
	return RemoveList(ctx, a.St, l, purge, by)
}

// SaveSite is SaveSite over a.St.
func (a Actions) SaveSite(ctx context.Context, s *store.Site, by string) error {
	return SaveSite(ctx, a.St, s, by)
}
