package subscribe

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/store"
)

// JoinSignedIn joins a list for someone signed in. Their session came from
// a single-use link mailed to the address, which is the confirmation
// double opt-in asks for, so no second mail round trip is made; the
// consent evidence says so. Lists with owner approval still hold the
// request; invitation-only lists refuse.
func (e *Engine) JoinSignedIn(ctx context.Context, l *store.List, address, origin string) (*Result, error) {
	acc, err := e.st.GetListAccess(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	if acc.Join == store.JoinInvite {
		return nil, ErrInviteOnly
	}
	p, err := e.Profile(ctx, address)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: store.TokenJoin, List: l, Address: address}
	c := &store.Consent{Address: address, ListID: l.ID, Action: "confirmed", How: "web", Origin: origin,
		Detail: "signed in with an emailed link", At: e.Now()}
	nm := store.NewMember{Address: address, Name: p.Name, Source: "web"}
	if acc.Join == store.JoinApproval {
		return res, e.holdJoin(ctx, res, nm, c)
	}
	return e.join(ctx, res, nm, c, "web-signed-in")
}
