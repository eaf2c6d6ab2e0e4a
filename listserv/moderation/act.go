package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Outcome is what one action did, worded for the moderator.
type Outcome struct {
	Held *store.Held
	// Done is false when someone else had already handled the item
	// (Held.State and Held.HandledBy say what and who); nothing was changed.
	Done     bool
	Notified bool // the sender was told
	Message  string
}

// Act carries out a moderator's action on a held item exactly once. The
// store's conditional UPDATE picks one winner among concurrent callers;
// only the winner queues the rejection notice or adds a sender rule, so a
// race never sends anything twice.
func Act(ctx context.Context, st ActStore, heldID int64, act Action, by, reason string) (*Outcome, error) {
	reason = oneLine(reason, 500)
	if act == Defer {
		return deferItem(ctx, st, heldID, by, reason)
	}
	ha, note := store.Approve, reason
	switch act {
	case Reject:
		ha = store.Reject
	case Ban:
		ha, note = store.Reject, strings.TrimSpace("sender banned. "+reason)
	case Discard:
		ha = store.Discard
	case ApproveAlways:
		note = strings.TrimSpace("sender always accepted. " + reason)
	case Approve:
	default:
		return nil, fmt.Errorf("unknown action %q", act)
	}
	h, err := st.ResolveHeld(ctx, heldID, ha, by, note)
	if errors.Is(err, store.ErrAlreadyHandled) {
		return &Outcome{Held: h, Message: Message(act, h, false, false)}, nil
	}
	if err != nil {
		return nil, err
	}
	out := &Outcome{Held: h, Done: true}
	switch act {
	case Approve, ApproveAlways:
		err = afterApprove(ctx, st, h, act == ApproveAlways, by)
	case Reject, Ban:
		out.Notified, err = afterReject(ctx, st, h, act == Ban, by, reason)
	}
	out.Message = Message(act, h, true, out.Notified)
	return out, err
}

func deferItem(ctx context.Context, st ActStore, heldID int64, by, note string) (*Outcome, error) {
	err := st.DeferHeld(ctx, heldID, by, note)
	h, gerr := st.GetHeld(ctx, heldID)
	if gerr != nil {
		return nil, gerr
	}
	if errors.Is(err, store.ErrAlreadyHandled) {
		return &Outcome{Held: h, Message: Message(Defer, h, false, false)}, nil
	}
	if err != nil {
		return nil, err
	}
	return &Outcome{Held: h, Done: true, Message: Message(Defer, h, true, false)}, nil
}

// afterApprove counts the approval towards the sender's new-member posts
// and, for "always accept", adds the rule.
func afterApprove(ctx context.Context, st ActStore, h *store.Held, always bool, by string) error {
	if h.Kind != "post" || h.From == "" {
		return nil
	}
	if err := st.AddApprovedPost(ctx, h.ListID, h.From); err != nil {
		return err
	}
	if !always {
		return nil
	}
	return st.SetSenderRule(ctx, &store.SenderRule{ListID: h.ListID, Pattern: store.NormalizeAddress(h.From),
		Action: store.RuleAccept, By: by})
}

// afterReject tells the author (unless the post is an auto-reply, list
// mail, marked as spam, or its sender is being banned: no backscatter) and,
// for a ban, adds the reject rule.
func afterReject(ctx context.Context, st ActStore, h *store.Held, ban bool, by, reason string) (bool, error) {
	if h.From != "" && ban {
		if err := st.SetSenderRule(ctx, &store.SenderRule{ListID: h.ListID, Pattern: store.NormalizeAddress(h.From),
			Action: store.RuleReject, By: by}); err != nil {
			return false, err
		}
	}
	if h.Kind == store.HeldKindItem && !ban {
		return tellItemRejected(ctx, st, h, reason)
	}
	if h.Kind != "post" || ban {
		return false, nil
	}
	m, err := st.GetMessage(ctx, h.MessageID)
	if err != nil {
		return false, err
	}
	if !MayTell(m) {
		return false, nil
	}
	l, err := st.GetListByID(ctx, h.ListID)
	if err != nil {
		return false, err
	}
	q, err := notice.Rejection(l, m, reason)
	if err != nil {
		return false, err
	}
	return true, st.EnqueueMail(ctx, q)
}

func describe(h *store.Held) string {
	if h.Kind == "subscription" {
		return "The subscription request from " + h.From
	}
	s := h.Subject
	if s == "" {
		s = "(no subject)"
	}
	return fmt.Sprintf("“%s” from %s", s, h.From)
}

// Message words what act did to h for the moderator (the words of
// Outcome.Message): done false means someone had already handled it, as
// h's state and handler say. The web pages word an outcome again from the
// item after redirecting, so a reload shows the outcome and does nothing.
func Message(act Action, h *store.Held, done, notified bool) string {
	d := describe(h)
	if !done {
		return fmt.Sprintf("%s was already %s by %s.", d, h.State, h.HandledBy)
	}
	switch act {
	case Defer:
		return d + " was left in the queue for later."
	case Approve:
		return d + " was approved."
	case ApproveAlways:
		return d + " was approved; later posts from " + h.From + " are accepted without moderation."
	case Reject:
		if notified {
			return d + " was rejected and the sender was told."
		}
		return d + " was rejected; the sender was not told (automatic or suspicious mail)."
	case Ban:
		return d + " was rejected and " + h.From + " is banned from posting."
	case Discard:
		return d + " was discarded."
	}
	return d + " was handled."
}

// oneLine trims s to one line of at most n bytes (reasons go into mail
// headers' neighbourhood and the audit log).
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}
