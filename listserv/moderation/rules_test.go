package moderation

import (
	"context"
	"slices"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

func TestCheckPattern(t *testing.T) {
	for in, want := range map[string]string{"Ann@Example.ORG": "ann@example.org", " *@Spam.example ": "*@spam.example"} {
		if got, err := CheckPattern(in); err != nil || got != want {
			t.Errorf("CheckPattern(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "ann", "@example.org", "*@", "*@*.example", "a,b@example.org", "x@y@z", "<a@example.org>"} {
		if _, err := CheckPattern(bad); err == nil {
			t.Errorf("CheckPattern(%q) accepted", bad)
		}
	}
}

// ruleStore is a RuleStore answering from a fixed set of rules.
type ruleStore struct {
	rules []*store.SenderRule
}

func (s ruleStore) MatchSenderRules(_ context.Context, _ int64, patterns []string) ([]*store.SenderRule, error) {
	var out []*store.SenderRule
	for _, r := range s.rules {
		if slices.Contains(patterns, r.Pattern) {
			out = append(out, r)
		}
	}
	return out, nil
}

func TestSenderRulePrecedence(t *testing.T) {
	st := ruleStore{rules: []*store.SenderRule{
		{Pattern: "*@spam.example", Action: store.RuleReject},
		{Pattern: "ok@spam.example", Action: store.RuleAccept},
		{Pattern: "friend@x.example", Action: store.RuleAccept},
		{Pattern: "*@bounce.example", Action: store.RuleDiscard},
	}}
	tests := []struct{ from, envelope, want string }{
		{"ok@spam.example", "", store.RuleAccept},                     // exact beats domain
		{"other@spam.example", "", store.RuleReject},                  // domain
		{"Friend@X.example", "", store.RuleAccept},                    // case-insensitive
		{"stranger@y.example", "friend@x.example", ""},                // accept never by envelope
		{"stranger@y.example", "b@bounce.example", store.RuleDiscard}, // other rules do
		{"friend@x.example", "b@bounce.example", store.RuleAccept},    // From first
		{"", "", ""},
	}
	for _, tt := range tests {
		r, err := SenderRule(context.Background(), st, 1, tt.from, tt.envelope)
		got := ""
		if r != nil {
			got = r.Action
		}
		if err != nil || got != tt.want {
			t.Errorf("SenderRule(%q, %q) = %q, %v; want %q", tt.from, tt.envelope, got, err, tt.want)
		}
	}
}
