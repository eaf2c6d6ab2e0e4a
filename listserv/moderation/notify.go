package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// tokenTTL bounds a reply token's life beyond any list's hold time.
const tokenTTL = 60 * 24 * time.Hour

// NotifyHeld sends what follows a new held item: each moderator and owner
// who wants every notice gets one with the post attached and a single-use
// reply address; the sender learns the post awaits moderation (at most
// once a day). A post a sender rule rejects is rejected here instead.
// ErrAlreadyHandled: another node notified it first (nothing was sent).
func (e *Engine) NotifyHeld(ctx context.Context, h *store.Held, now time.Time) error {
	l, err := e.st.GetListByID(ctx, h.ListID)
	if err != nil {
		return err
	}
	var m *store.Message
	if h.Kind == "post" && h.MessageID != 0 {
		if m, err = e.st.GetMessage(ctx, h.MessageID); err != nil {
			return err
		}
	}
	if h.Reason == store.ReasonRuleReject {
		return e.rejectByRule(ctx, l, h, m, now)
	}
	staff, err := e.st.ListStaff(ctx, l.ID)
	if err != nil {
		return err
	}
	n := &store.HeldNotice{HeldID: h.ID}
	for _, s := range staff {
		if s.Notify != store.NotifyEach || s.Status != store.StatusEnabled {
			continue
		}
		plain, hash := token.Random()
		lt := e.moderatorNotice(l, h, m, s.Address, plain)
		q, err := lt.build()
		if err != nil { // one bad address must not block the others' notices
			e.log.Warn("moderator notice", heldAttr(h), "to", s.Address, "err", err)
			continue
		}
		n.Mails = append(n.Mails, q)
		n.Tokens = append(n.Tokens, &store.ModerationToken{Hash: hash, HeldID: h.ID, ListID: l.ID,
			Address: s.Address, Created: now, Expires: now.Add(tokenTTL)})
	}
	if m != nil && MayTell(m) {
		kind, lt := "awaiting", e.awaitingNotice(l, m)
		if h.Reason == ReasonAdministrivia {
			kind, lt = "administrivia", e.administriviaNotice(l, m)
		}
		if n.OnceMail, err = lt.build(); err == nil {
			n.OnceKey = onceKey(kind, l.ID, m.FromAddr, now)
		} else {
			e.log.Warn("sender notice", heldAttr(h), "to", m.FromAddr, "err", err)
		}
	}
	return e.st.SaveHeldNotice(ctx, n)
}

// onceKey names a notice kind for one sender on one list on one UTC day.
func onceKey(kind string, listID int64, addr string, now time.Time) string {
	return fmt.Sprintf("%s:%d:%s:%s", kind, listID, store.NormalizeAddress(addr), now.UTC().Format(time.DateOnly))
}

// rejectByRule rejects a post whose sender the list rejects, telling the
// sender at most once a day (a banned sender who keeps posting is not
// answered every time).
func (e *Engine) rejectByRule(ctx context.Context, l *store.List, h *store.Held, m *store.Message, now time.Time) error {
	_, err := e.st.ResolveHeld(ctx, h.ID, store.Reject, ActorRule, "")
	if errors.Is(err, store.ErrAlreadyHandled) {
		return nil
	}
	if err != nil || m == nil || !MayTell(m) {
		return err
	}
	q, err := notice.Rejection(l, m, "The list does not accept posts from this address.")
	if err != nil {
		return err
	}
	_, err = e.st.EnqueueOnce(ctx, onceKey("rejected", l.ID, m.FromAddr, now), q)
	return err
}

func (e *Engine) itemURL(h *store.Held) string {
	return fmt.Sprintf("%s/moderate/%d", e.cfg.BaseURL, h.ID)
}

func (e *Engine) moderatorNotice(l *store.List, h *store.Held, m *store.Message, to, tok string) letter {
	lt := letter{list: l, to: to, replyTo: l.LocalPart() + "-moderate+" + tok + "@" + l.Domain()}
	var b strings.Builder
	if h.Kind == "subscription" {
		lt.subject = fmt.Sprintf("%s: subscription request from %s", listName(l), h.From)
		fmt.Fprintf(&b, "%s asks to join %s.\n\n", h.From, l.Address)
	} else if h.Kind == store.HeldKindItem {
		lt.subject = fmt.Sprintf("%s: submitted %s", listName(l), h.Subject)
		fmt.Fprintf(&b, "%s submitted an item to %s:\n\n  %s\n\nYou can correct its fields on the web before approving it.\n", h.From, l.Address, h.Subject)
	} else {
		lt.subject = fmt.Sprintf("%s: post held for moderation: %s", listName(l), h.Subject)
		fmt.Fprintf(&b, "A post to %s is waiting for a moderator.\n\nFrom:    %s\nSubject: %s\nSize:    %d bytes\n",
			l.Address, h.From, h.Subject, h.Size)
	}
	fmt.Fprintf(&b, "Held because: %s\n\n", h.Reason)
	b.WriteString("To act on it, reply to this message with one of these as the first line:\n\n" +
		"  approve\n  reject REASON   (the sender is told the reason)\n  discard         (nobody is told)\n\n" +
		"Only a reply from one of the list's moderators or owners counts, and only once.\n\n")
	fmt.Fprintf(&b, "Or open it on the web: %s\n", e.itemURL(h))
	if m != nil {
		b.WriteString("\nThe held post is attached.\n")
		lt.attach = m.Raw
	}
	lt.body = b.String()
	return lt
}

func (e *Engine) awaitingNotice(l *store.List, m *store.Message) letter {
	return letter{list: l, to: m.FromAddr, inReplyTo: m.MessageID, auto: "auto-replied",
		subject: "Your message to " + l.Address + " awaits moderation",
		body: fmt.Sprintf("Your message to %s is waiting for a moderator.\n\nSubject: %s\n\n"+
			"You will hear from us only if it is rejected. Nothing more needs doing;\n"+
			"please do not send it again. (We send this notice at most once a day.)\n\n"+
			"Questions? Write to the list owners at %s.\n", l.Address, m.Subject, l.SubAddress("owner"))}
}

func (e *Engine) administriviaNotice(l *store.List, m *store.Message) letter {
	return letter{list: l, to: m.FromAddr, inReplyTo: m.MessageID, auto: "auto-replied",
		subject: "Joining or leaving " + l.Address,
		body: fmt.Sprintf("Your message to %s looks like a request to join or leave the list, so it was\n"+
			"held for a moderator instead of being sent to every member.\n\n"+
			"To leave the list, send any message to %s\n"+
			"To join the list, send any message to %s\n\n"+
			"If it was meant for the members, nothing more needs doing: a moderator will look at it.\n",
			l.Address, l.SubAddress("leave"), l.SubAddress("join"))}
}

// expiryNotice tells the author a post expired unseen.
func (e *Engine) expiryNotice(l *store.List, m *store.Message, days int) letter {
	return letter{list: l, to: m.FromAddr, inReplyTo: m.MessageID, auto: "auto-replied",
		subject: "Your message to " + l.Address + " expired",
		body: fmt.Sprintf("Your message to %s waited %d days for a moderator and has expired;\n"+
			"it was not sent to the list.\n\nSubject: %s\n\n"+
			"You may send it again. Questions? Write to the list owners at %s.\n",
			l.Address, days, m.Subject, l.SubAddress("owner"))}
}
