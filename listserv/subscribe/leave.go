package subscribe

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Leave ends a membership at once, keeps the evidence, and acknowledges
// it by mail with the way back in (re-joining is one confirmation away).
func (e *Engine) Leave(ctx context.Context, m *store.Member, how, origin string) (*store.List, error) {
	return e.leave(ctx, m, how, origin, true)
}

// leave without ack is for email commands, whose reply says it instead.
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
