package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// MemberChange is what SetMember changes; nil fields stay as they are.
type MemberChange struct {
	Role, Mode, Name *string
}

// SetMember changes one member's role, delivery mode or name, whoever
// acts (CLI, owners' web), audited with the change.
func SetMember(ctx context.Context, st Store, l *store.List, address string, c MemberChange, by string) (*store.Member, error) {
	nm := store.NewMember{Address: address}
	if c.Role != nil {
		nm.Role = *c.Role
	}
	if c.Mode != nil {
		nm.Mode = *c.Mode
	}
	if err := CheckMember(&nm); err != nil {
		return nil, err
	}
	if c.Role != nil && *c.Role == "" || c.Mode != nil && *c.Mode == "" {
		return nil, invalid("role and mode cannot be empty")
	}
	if c.Name != nil {
		if err := checkSizes(address, *c.Name); err != nil {
			return nil, err
		}
		if strings.ContainsAny(*c.Name, "\r\n") {
			return nil, invalid("a name is one line")
		}
	}
	m, err := st.GetMember(ctx, l.ID, nm.Address)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid("%s is not a member of %s", clip(nm.Address), l.Address)
	}
	if err != nil {
		return nil, err
	}
	var what []string
	set := func(field string, dst *string, v *string) {
		if v != nil && *v != *dst {
			what = append(what, fmt.Sprintf("%s %q to %q", field, *dst, *v))
			*dst = *v
		}
	}
	set("role", &m.Role, c.Role)
	set("mode", &m.Mode, c.Mode)
	set("name", &m.Name, c.Name)
	if len(what) == 0 {
		return m, nil
	}
	a := &store.Audit{Actor: by, Action: "change member", ListID: l.ID, Target: m.Address,
		Detail: by + " changed " + m.Address + ": " + strings.Join(what, ", ")}
	return m, st.UpdateMember(ctx, m, a)
}

// RemoveList stops a list (or with purge deletes its archive too) and
// returns what it held. The audit entry is site-wide so it survives.
func RemoveList(ctx context.Context, st Store, l *store.List, purge bool, by string) (*store.ListFootprint, error) {
	f, err := st.ListFootprint(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	action, kept := "remove list", "archive kept"
	if purge {
		action, kept = "purge list", "archive deleted"
	}
	a := &store.Audit{Actor: by, Action: action, Target: l.Address,
		Detail: fmt.Sprintf("%s removed %s: %d members, %d held items, %d archived posts (%s)",
			by, l.Address, f.Members, f.Held, f.Posts, kept)}
	return f, st.RemoveList(ctx, l.ID, purge, a)
}
