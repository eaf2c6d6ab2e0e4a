package pipeline

import (
	"context"
	"errors"
	"strings"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
)

type decision struct{ state, reason string }

// Hold and drop reasons, shown to moderators and in logs. The moderation
// package has the reasons of its own checks (moderation.Reason*).
const (
	ReasonLoop          = "loop: the message already passed through this list"
	ReasonAutoSubmitted = "auto-submitted message (RFC 3834): never distributed"
	ReasonNonMember     = "post from a non-member"
	ReasonModerated     = "the list is moderated"
	ReasonAnnounce      = "announce-only list: only owners and moderators post"
	ReasonTooLarge      = "message is larger than the list allows"
)

// decide applies, in order: loop and auto-reply rules (dropped); the
// list's sender rules for reject, discard and hold; the content checks
// (size, administrivia, recipients, attachment types), which hold even a
// sender the list always accepts; an always-accept rule; then the list's
// policy, membership and new-member moderation.
func (p *Pipeline) decide(ctx context.Context, env Envelope, l *store.List, m *mailhdr.Parsed, raw []byte) (decision, error) {
	size := int64(len(raw))
	if isLoop(l, m.Header) {
		return decision{store.StateDropped, ReasonLoop}, nil
	}
	if isAutoSubmitted(m.Header) {
		return decision{store.StateDropped, ReasonAutoSubmitted}, nil
	}
	if why, err := p.authHold(ctx, env, l, m, raw); err != nil || why != "" {
		return decision{store.StateHeld, why}, err
	}
	sender := m.From
	if sender == "" {
		sender = env.From
	}
	rule, err := moderation.SenderRule(ctx, p.st, l.ID, m.From, env.From)
	if err != nil {
		return decision{}, err
	}
	if rule != nil {
		switch rule.Action {
		case store.RuleDiscard:
			return decision{store.StateDiscarded, moderation.ReasonRuleDiscard}, nil
		case store.RuleReject:
			// Held, then rejected by the moderation engine, which tells
			// the sender once the post is durable.
			return decision{store.StateHeld, moderation.ReasonRuleReject}, nil
		case store.RuleHold:
			return decision{store.StateHeld, moderation.ReasonRuleHold}, nil
		}
	}
	set, err := p.st.ModerationSettings(ctx, l.ID)
	if err != nil {
		return decision{}, err
	}
	if reason := contentHold(l, set, m, size); reason != "" {
		return decision{store.StateHeld, reason}, nil
	}
	if rule != nil && rule.Action == store.RuleAccept {
		return decision{store.StateAccepted, ""}, nil
	}
	mem, err := p.st.GetMember(ctx, l.ID, sender)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return decision{}, err
	}
	switch l.Policy {
	case store.PolicyOpen:
		return decision{store.StateAccepted, ""}, nil
	case store.PolicyModerated:
		return decision{store.StateHeld, ReasonModerated}, nil
	case store.PolicyAnnounce:
		if mem != nil && mem.CanPostAnnounce() {
			return decision{store.StateAccepted, ""}, nil
		}
		return decision{store.StateHeld, ReasonAnnounce}, nil
	}
	if mem == nil {
		return decision{store.StateHeld, ReasonNonMember}, nil
	}
	if held, err := p.newMember(ctx, set, mem); err != nil || held {
		return decision{store.StateHeld, moderation.ReasonNewMember}, err
	}
	return decision{store.StateAccepted, ""}, nil
}

// newMember reports whether mem's posts are still moderated: the list
// moderates new members' first posts, mem joined after that was turned on
// (existing members are trusted), and fewer of mem's posts were approved.
func (p *Pipeline) newMember(ctx context.Context, set *store.ListModeration, mem *store.Member) (bool, error) {
	if set.NewMemberPosts <= 0 || mem.CanPostAnnounce() || mem.Created.Before(set.NewMemberSince) {
		return false, nil
	}
	n, err := p.st.ApprovedPosts(ctx, mem.ListID, mem.Address)
	return n < set.NewMemberPosts, err
}

// contentHold returns why the post itself must wait for a moderator,
// or "".
func contentHold(l *store.List, set *store.ListModeration, m *mailhdr.Parsed, size int64) string {
	if l.MaxSize > 0 && size > l.MaxSize {
		return ReasonTooLarge
	}
	if set.MaxRecipients > 0 && moderation.CountRecipients(m.Header) > set.MaxRecipients {
		return moderation.ReasonTooManyRcpts
	}
	var in *moderation.Inspection
	if set.AcceptTypes == "" {
		in = moderation.InspectText(m.Header, m.Body, 4<<10)
	} else {
		in = moderation.InspectParts(m.Header, m.Body, 4<<10)
		if in.Err != nil {
			return moderation.ReasonUnreadableMIME
		}
		if bad := moderation.RejectedTypes(set.AcceptTypes, in); len(bad) > 0 {
			return moderation.ReasonAttachmentType + ": " + strings.Join(bad, ", ")
		}
	}
	if moderation.Administrivia(m.Subject, in.Text) {
		return moderation.ReasonAdministrivia
	}
	if isDigestReply(m.Subject, in.Text) {
		return ReasonDigestReply
	}
	return ""
}

// isLoop: this list's own List-Id or X-Loop means we sent it already.
func isLoop(l *store.List, h mailhdr.Header) bool {
	id := "<" + l.ListID() + ">"
	for _, v := range h.Values("List-Id") {
		if strings.Contains(strings.ToLower(v), id) {
			return true
		}
	}
	for _, v := range h.Values("X-Loop") {
		if strings.EqualFold(strings.Trim(v, "<> "), l.Address) {
			return true
		}
	}
	return false
}

// isAutoSubmitted follows RFC 3834 section 5; the rule lives in the
// moderation package, which also refuses to act on automatic replies.
func isAutoSubmitted(h mailhdr.Header) bool { return notice.IsAutoReply(h) }
