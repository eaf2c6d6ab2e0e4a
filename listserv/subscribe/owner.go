package subscribe

import (
	"context"
	"strconv"

	"github.com/demnet-uk/listserv/listserv/store"
)

// What owners and people change on the web goes through these, so the
// pages never write to the store themselves.

// SetAccess changes how people find and join a list; the store audits
// the change as by in the same transaction.
func (e *Engine) SetAccess(ctx context.Context, a *store.ListAccess, by string) error {
	return e.st.SetListAccess(ctx, a, by)
}

// InviteMany invites each address (see Invite) and records one audit row
// saying how many invitations went out; sent counts them.
func (e *Engine) InviteMany(ctx context.Context, l *store.List, addrs []string, by string) (sent int, err error) {
	for _, a := range addrs {
		ok, err := e.Invite(ctx, l, a, "", by, "invite")
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	err = e.st.AddAudit(ctx, &store.Audit{At: e.Now(), Actor: by, Action: "invite", ListID: l.ID,
		Target: "list:" + strconv.FormatInt(l.ID, 10), Detail: strconv.Itoa(sent) + " of " + strconv.Itoa(len(addrs)) + " invited"})
	return sent, err
}

// SaveProfile checks and stores a person's profile (an *ErrInvalidProfile
// explains what to correct).
func (e *Engine) SaveProfile(ctx context.Context, p *store.Person) error {
	if err := CheckProfile(p); err != nil {
		return err
	}
	return e.st.SavePerson(ctx, p)
}
