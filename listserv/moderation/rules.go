package moderation

import (
	"context"
	"net/mail"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// CheckPattern validates and normalises a sender rule pattern: an address
// (ann@example.org) or every address of a domain (*@example.org).
func CheckPattern(p string) (string, error) {
	p = store.NormalizeAddress(p)
	local, domain, ok := strings.Cut(p, "@")
	bad := invalid("%q is not an address or *@domain", p)
	if !ok || domain == "" || strings.ContainsAny(domain, "@*, <>") || strings.ContainsAny(local, ", <>") {
		return "", bad
	}
	if local == "*" {
		return p, nil
	}
	if a, err := mail.ParseAddress(p); err != nil || !strings.EqualFold(a.Address, p) {
		return "", bad
	}
	return p, nil
}

// CheckRuleAction validates a rule's action.
func CheckRuleAction(a string) error {
	switch a {
	case store.RuleAccept, store.RuleHold, store.RuleReject, store.RuleDiscard:
		return nil
	}
	return invalid("action must be accept, hold, reject or discard, not %q", a)
}

// patterns returns the rule patterns an address matches, the address first.
func patterns(addr string) []string {
	addr = store.NormalizeAddress(addr)
	_, domain, ok := strings.Cut(addr, "@")
	if !ok || domain == "" {
		return nil
	}
	return []string{addr, "*@" + domain}
}

// SenderRule finds the rule that applies to a post: rules on the From
// address first (exact before domain), then rules on the envelope sender,
// where accept does not count (a forged envelope must not let a post
// through that its From would not). nil when no rule applies.
func SenderRule(ctx context.Context, st RuleStore, listID int64, from, envelope string) (*store.SenderRule, error) {
	fromPats, envPats := patterns(from), patterns(envelope)
	all := append(append([]string{}, fromPats...), envPats...)
	if len(all) == 0 {
		return nil, nil
	}
	rules, err := st.MatchSenderRules(ctx, listID, all)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	byPattern := map[string]*store.SenderRule{}
	for _, r := range rules {
		byPattern[r.Pattern] = r
	}
	for _, p := range fromPats {
		if r := byPattern[p]; r != nil {
			return r, nil
		}
	}
	for _, p := range envPats {
		if r := byPattern[p]; r != nil && r.Action != store.RuleAccept {
			return r, nil
		}
	}
	return nil, nil
}
