package subscribe

import (
	"context"
	"errors"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Leave ends a membership at once, keeps the evidence, and acknowledges
// it by mail with the way back in (re-joining is one confirmation away).
// It is for requests that prove the mailbox: the one-click link in the
// member's own copy, a signed-in page, a confirmed leave request.
func (e *Engine) Leave(ctx context.Context, m *store.Member, how, origin string) (*store.List, error) {
	return e.leave(ctx, m, how, origin, true)
}

// Remove is an operator taking a member off a list (`listserv member rm`):
// the same evidence as every other way of leaving, naming the operator,
// and no mail to the person.
func (e *Engine) Remove(ctx context.Context, l *store.List, address, by string) error {
	m, err := e.st.GetMember(ctx, l.ID, address)
	if err != nil {
		return err
	}
	_, err = e.leave(ctx, m, "operator", by, false)
	return err
}

func (e *Engine) leave(ctx context.Context, m *store.Member, how, origin string, ack bool) (*store.List, error) {
	if _, err := e.st.LeaveList(ctx, m.ID, &store.Consent{Action: "left", How: how, Origin: origin, At: e.Now()}); err != nil {
		return nil, err
	}
	l, err := e.st.GetListByID(ctx, m.ListID)
	if err != nil {
		return nil, err
	}
	e.log.Info("left", "list", l.Address, "member", m.ID, "how", how)
	if !ack {
		return l, nil
	}
	subject, body := e.goodbyeText(l, m.Address)
	return l, e.send(ctx, forList(l, note{to: m.Address, subject: subject, body: body, autoReplied: how == "email"}))
}

// RequestLeave mails the member a confirmation (link and LIST-confirm+
// TOKEN@ reply address): mail to LIST-leave@ or "unsubscribe" to
// LIST-request@ proves nothing about who sent it, so nobody is removed on
// its word. Throttled like join confirmations; nil either way.
func (e *Engine) RequestLeave(ctx context.Context, l *store.List, m *store.Member, how, origin string) error {
	plain, ok, err := e.newToken(ctx, store.TokenLeave, m.Address, l.ID, tokenData{How: how, Origin: origin}, e.opt.Limits)
	if err != nil || !ok {
		return err
	}
	if err := e.st.AddConsent(ctx, &store.Consent{Address: m.Address, ListID: l.ID, Action: "leave-requested",
		How: how, Origin: origin, At: e.Now()}); err != nil {
		return err
	}
	subject, body := e.leaveConfirmText(l, m.Address, e.opt.BaseURL+"/confirm/"+plain)
	e.log.Info("leave confirmation sent", "list", l.Address, "member", m.ID, "how", how)
	return e.send(ctx, forList(l, note{to: m.Address, subject: subject, body: body,
		replyTo: l.SubAddress("confirm+" + plain), autoReplied: how == "email"}))
}

// confirmLeave carries out a confirmed leave request; Already when the
// address had left meanwhile.
func (e *Engine) confirmLeave(ctx context.Context, res *Result, how, origin string) (*Result, error) {
	m, err := e.st.GetMember(ctx, res.List.ID, res.Address)
	if errors.Is(err, store.ErrNotFound) {
		res.Already = true
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	_, err = e.leave(ctx, m, how, origin, true)
	return res, err
}
