package subscribe

import (
	"context"
	"strconv"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// What owners and people change on the web goes through these, so the
// pages never write to the store themselves.

// SetAccess changes how people find and join a list; the store audits
// the change as by in the same transaction.
func (e *Engine) SetAccess(ctx context.Context, a *store.ListAccess, by string) error {
	return e.st.SetListAccess(ctx, a, by)
}

// InviteMany invites each address (as Invite does) and records one audit
// row saying how many invitations went out, all in one transaction, so
// the log cannot miss invitations nor record ones never sent.
func (e *Engine) InviteMany(ctx context.Context, l *store.List, addrs []string, by string) (sent int, err error) {
	invs := make([]*store.Invitation, 0, len(addrs))
	for _, a := range addrs {
		inv, err := e.invitation(l, a, by)
		if err != nil {
			return 0, err
		}
		invs = append(invs, inv)
	}
	lim := store.TokenLimits{PerList: 1, ListWindow: e.opt.TokenTTL}
	return e.st.Invite(ctx, l.ID, invs, lim, &store.Audit{At: e.Now(), Actor: by, Action: "invite", ListID: l.ID,
		Target: "list:" + strconv.FormatInt(l.ID, 10)})
}

// invitation is what Invite stores for one address, ready to commit.
func (e *Engine) invitation(l *store.List, address, by string) (*store.Invitation, error) {
	plain, hash := token.Random()
	now := e.Now()
	q, err := render(forList(l, e.inviteNote(l, address, plain, by)))
	if err != nil {
		return nil, err
	}
	return &store.Invitation{
		Token: &store.SubToken{Hash: hash, Kind: store.TokenInvite, Address: address, ListID: l.ID,
			Data: tokenData{How: "invite", By: by}.json(), Created: now, Expires: now.Add(e.opt.TokenTTL)},
		Consent: &store.Consent{Address: address, ListID: l.ID, Action: "invited", How: "invite", Origin: by, At: now},
		Mail:    q,
	}, nil
}

func (e *Engine) inviteNote(l *store.List, address, plain, by string) note {
	subject, body := e.confirmText(l, e.opt.BaseURL+"/confirm/"+plain, true, by)
	return note{to: address, subject: subject, body: body, replyTo: l.SubAddress("confirm+" + plain)}
}

// SaveProfile checks and stores a person's profile (an *ErrInvalidProfile
// explains what to correct).
func (e *Engine) SaveProfile(ctx context.Context, p *store.Person) error {
	if err := CheckProfile(p); err != nil {
		return err
	}
	return e.st.SavePerson(ctx, p)
}
