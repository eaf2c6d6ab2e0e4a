package pipeline

import (
	"context"
	"errors"
	"strings"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

type decision struct{ state, reason string }

// Hold and drop reasons, shown to moderators and in logs.
const (
	ReasonLoop          = "loop: the message already passed through this list"
	ReasonAutoSubmitted = "auto-submitted message (RFC 3834): never distributed"
	ReasonNonMember     = "post from a non-member"
	ReasonModerated     = "the list is moderated"
	ReasonAnnounce      = "announce-only list: only owners and moderators post"
	ReasonTooLarge      = "message is larger than the list allows"
	ReasonDisabled      = "sender's membership is disabled"
)

// decide applies loop and auto-reply rules, then the list's policy.
func (p *Pipeline) decide(ctx context.Context, env Envelope, l *store.List, m *mailhdr.Parsed, size int64) (decision, error) {
	if isLoop(l, m.Header) {
		return decision{store.StateDropped, ReasonLoop}, nil
	}
	if isAutoSubmitted(m.Header) {
		return decision{store.StateDropped, ReasonAutoSubmitted}, nil
	}
	if l.MaxSize > 0 && size > l.MaxSize {
		return decision{store.StateHeld, ReasonTooLarge}, nil
	}
	sender := m.From
	if sender == "" {
		sender = env.From
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
	return decision{store.StateAccepted, ""}, nil
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

// isAutoSubmitted follows RFC 3834 section 5 (any value but "no"), plus the
// headers Microsoft and others use for out-of-office replies.
func isAutoSubmitted(h mailhdr.Header) bool {
	if v := h.Get("Auto-Submitted"); v != "" {
		// The keyword, before any parameter or comment ("no (human)" is "no").
		kw, _, _ := strings.Cut(v, ";")
		kw, _, _ = strings.Cut(kw, "(")
		if !strings.EqualFold(strings.TrimSpace(kw), "no") {
			return true
		}
	}
	return h.Has("X-Autoreply") || h.Has("X-Autorespond") ||
		strings.EqualFold(h.Get("X-Auto-Response-Suppress"), "All") && h.Has("X-Autoreply")
}
