package subscribe

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// Pending is what a confirmation link's page shows before the button.
type Pending struct {
	Token  *store.SubToken
	List   *store.List // nil for address changes
	Usable bool        // unused and unexpired
	From   string      // address change: the old address
}

// Peek looks a token up without using it (a GET never changes anything).
// A used or expired token is returned with Usable false, so the page can
// point to the right list; an unknown one gives ErrTokenInvalid.
func (e *Engine) Peek(ctx context.Context, plain string) (*Pending, error) {
	t, err := e.st.GetSubToken(ctx, token.Hash(plain))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	p := &Pending{Token: t, Usable: t.Used.IsZero() && e.Now().Before(t.Expires)}
	var d tokenData
	json.Unmarshal([]byte(t.Data), &d)
	p.From = d.From
	if t.ListID != 0 {
		if p.List, err = e.st.GetListByID(ctx, t.ListID); err != nil {
			return nil, ErrTokenInvalid // the list is gone
		}
	}
	return p, nil
}

// Result is what a confirmation did.
type Result struct {
	Kind    string
	List    *store.List
	Member  *store.Member
	Address string
	From    string // address change: the old address
	Held    bool   // waiting for an owner's approval
	Already bool   // was already a member (or, leaving, already gone): nothing changed
}

// Confirm uses a token once and does what it was made for. how and origin
// say how the confirmation came (web and IP, or email and sender).
func (e *Engine) Confirm(ctx context.Context, plain, how, origin string) (*Result, error) {
	t, err := e.st.ConsumeSubToken(ctx, token.Hash(plain), e.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	var d tokenData
	json.Unmarshal([]byte(t.Data), &d)
	res := &Result{Kind: t.Kind, Address: t.Address, From: d.From}
	if t.Kind == store.TokenAddress {
		return res, e.moveAddress(ctx, d.From, t.Address, how, origin)
	}
	if res.List, err = e.st.GetListByID(ctx, t.ListID); err != nil {
		return nil, ErrTokenInvalid
	}
	if t.Kind == store.TokenLeave {
		return e.confirmLeave(ctx, res, how, origin)
	}
	l := res.List
	c := &store.Consent{Address: t.Address, ListID: l.ID, Action: "confirmed", How: how, Origin: origin,
		Detail: "requested by " + d.How + " from " + d.Origin + " at " + t.Created.UTC().Format("2006-01-02 15:04:05Z")}
	if t.Kind == store.TokenInvite {
		c.Detail = "invited by " + d.By + " (" + d.How + ")"
	}
	acc, err := e.st.GetListAccess(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	nm := store.NewMember{Address: t.Address, Name: d.Name, Source: d.How}
	if t.Kind == store.TokenJoin && acc.Join == store.JoinApproval {
		if err := e.holdJoin(ctx, res, nm, c); err != nil {
			return nil, err
		}
		if how == "email" {
			subject, body := e.pendingText(l)
			return res, e.send(ctx, forList(l, note{to: t.Address, subject: subject, body: body, autoReplied: true}))
		}
		return res, nil
	}
	return e.join(ctx, res, nm, c, how)
}

// holdJoin puts a confirmed request in the owners' queue, with its
// consent evidence.
func (e *Engine) holdJoin(ctx context.Context, res *Result, nm store.NewMember, c *store.Consent) error {
	if _, err := e.st.HoldSubscription(ctx, res.List.ID, nm, "the list's owners approve new members"); err != nil {
		return err
	}
	res.Held = true
	c.Detail += "; waiting for owner approval"
	return e.st.AddConsent(ctx, c)
}

// join adds a confirmed member and welcomes them; someone already on the
// list is left as they are.
func (e *Engine) join(ctx context.Context, res *Result, nm store.NewMember, c *store.Consent, how string) (*Result, error) {
	var err error
	res.Member, err = e.st.JoinList(ctx, res.List.ID, nm, c)
	if errors.Is(err, store.ErrExists) {
		res.Already = true
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	e.log.Info("joined", "list", res.List.Address, "member", res.Member.ID, "how", how)
	return res, e.welcome(ctx, res.List, res.Member)
}

func (e *Engine) welcome(ctx context.Context, l *store.List, m *store.Member) error {
	subject, body := e.welcomeText(l, m)
	return e.send(ctx, forList(l, note{to: m.Address, subject: subject, body: body}))
}

// Welcome sends the welcome message to a member added another way (an
// owner approving a held request calls it).
func (e *Engine) Welcome(ctx context.Context, l *store.List, address string) error {
	m, err := e.st.GetMember(ctx, l.ID, address)
	if err != nil {
		return err
	}
	return e.welcome(ctx, l, m)
}

// WelcomeApproved welcomes members whose held request an owner approved
// (in the shared moderation queue) and records the approval as consent
// evidence, which also marks them done. The leader runs it periodically.
func (e *Engine) WelcomeApproved(ctx context.Context, since time.Time) (int, error) {
	hs, err := e.st.ApprovedSubscriptions(ctx, since)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, h := range hs {
		l, err := e.st.GetListByID(ctx, h.ListID)
		if err != nil {
			return n, err
		}
		if err := e.st.AddConsent(ctx, &store.Consent{Address: h.From, ListID: l.ID, Action: "approved", How: "owner",
			Origin: h.HandledBy, At: e.Now()}); err != nil {
			return n, err
		}
		if err := e.Welcome(ctx, l, h.From); errors.Is(err, store.ErrNotFound) {
			continue // approved, then left or erased before the welcome
		} else if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
