package bounce

import (
	"context"
	"fmt"

	"github.com/demnet-uk/listserv/listserv/inbox"
	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
)

// ReenablePath is the web path of the re-enable link; the token follows.
const ReenablePath = "/bounces/enable/"

// notifyDisabled tells the member (with the link that turns delivery
// back on) and each owner (a one-line summary) that bounces disabled
// delivery.
func (e *Engine) notifyDisabled(ctx context.Context, l *store.List, m *store.Member) error {
	if err := e.notifyMember(ctx, l, m, 1); err != nil {
		return err
	}
	if err := e.scheduleRewarnings(ctx, m); err != nil {
		return err
	}
	staff, err := e.st.ListStaff(ctx, l.ID)
	if err != nil {
		return err
	}
	summary := fmt.Sprintf("Delivery to %s on %s was disabled after repeated bounces (score %.1f).\n"+
		"They have been sent a link to turn it back on.\n", m.Address, l.Address, m.BounceScore)
	for _, s := range staff {
		if s.Role != store.RoleOwner || s.Status != store.StatusEnabled {
			continue
		}
		if err := e.send(ctx, notice.Mail{From: l.SubAddress("bounces"), To: s.Address, Loop: l.Address,
			Subject: "Bounces: delivery to " + m.Address + " disabled", Body: summary, Tag: "bounce"}); err != nil {
			return err
		}
	}
	return nil
}

// notifyMember sends the member the paused notice with the re-enable
// link; nth > 1 is a re-warning (rewarn.go).
func (e *Engine) notifyMember(ctx context.Context, l *store.List, m *store.Member, nth int) error {
	link := e.cfg.BaseURL + ReenablePath + e.tokens.Reenable(m.ID)
	body := fmt.Sprintf("Mail from %s to %s has been returned as undeliverable too often, so we have stopped\n"+
		"sending it. You are still a member.\n\n"+
		"When your mailbox works again, open this link and press the button to get list mail again:\n\n%s\n\n"+
		"Questions? Write to the list owners at %s.\n", l.Address, m.Address, link, l.SubAddress("owner"))
	subject := "Your mail from " + l.Address + " is paused"
	if nth > 1 {
		subject = fmt.Sprintf("Reminder %d: your mail from %s is still paused", nth-1, l.Address)
	}
	return e.send(ctx, notice.Mail{From: l.SubAddress("owner"), Envelope: l.SubAddress("bounces"), To: m.Address,
		Loop: l.Address, Subject: subject, Body: body, Tag: "bounce"})
}

func (e *Engine) send(ctx context.Context, n notice.Mail) error {
	q, err := n.Build()
	if err != nil {
		return inbox.Permanent(err)
	}
	return e.st.EnqueueMail(ctx, q)
}
