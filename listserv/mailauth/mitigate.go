package mailauth

import (
	"context"
	"errors"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"

	"github.com/demnet-uk/listserv/listserv/store"
)

// SettingsStore has each list's DMARC mitigation setting.
type SettingsStore interface {
	ListDeliverability(ctx context.Context, listID int64) (*store.ListDeliverability, error)
}

// Mitigator is delivery's Mitigator: the list's action (munge by default)
// for posts whose author's domain publishes p=reject or p=quarantine, or
// for every post when the list says always.
type Mitigator struct {
	st  SettingsStore
	pol *Policies
}

// NewMitigator uses pol's cached DMARC lookups.
func NewMitigator(st SettingsStore, pol *Policies) *Mitigator { return &Mitigator{st: st, pol: pol} }

// DMARCAction implements delivery.Mitigator. A DNS failure counts as a
// strict policy: a rewritten From always arrives, an unrewritten one from
// a p=reject domain does not.
func (m *Mitigator) DMARCAction(ctx context.Context, l *store.List, msg *store.Message) (string, error) {
	set, err := m.st.ListDeliverability(ctx, l.ID)
	if err != nil {
		return "", err
	}
	if set.DMARCAction == store.DMARCNone || set.DMARCAction == "" {
		return "", nil
	}
	_, domain, ok := strings.Cut(msg.FromAddr, "@")
	if !ok || strings.EqualFold(domain, l.Domain()) {
		return "", nil // the list's own domain: its signature aligns
	}
	if set.DMARCAlways {
		return set.DMARCAction, nil
	}
	rec, inherited, err := m.pol.Lookup(ctx, domain)
	if errors.Is(err, ErrTemporary) {
		return set.DMARCAction, nil
	}
	if err != nil {
		return "", err
	}
	switch EffectivePolicy(rec, inherited) {
	case dmarc.PolicyReject, dmarc.PolicyQuarantine:
		return set.DMARCAction, nil
	}
	return "", nil
}
