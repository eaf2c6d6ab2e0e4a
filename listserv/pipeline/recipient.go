package pipeline

import (
	"context"
	"errors"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Recipient kinds: the list address itself and its helper addresses.
const (
	KindPost    = "post"
	KindRequest = "request"
	KindOwner   = "owner"
	KindJoin    = "join"
	KindLeave   = "leave"
	KindBounces = "bounces"
	// KindConfirm and KindModerate are only reachable with a token:
	// LIST-confirm+TOKEN@ (reply to confirm a subscription) and
	// LIST-moderate+TOKEN@ (a moderator's reply to a held-post notice).
	KindConfirm  = "confirm"
	KindModerate = "moderate"
)

var suffixes = []string{KindRequest, KindOwner, KindJoin, KindLeave, KindBounces, KindConfirm, KindModerate}

// tokenKinds take (or require) a +TOKEN.
var tokenKinds = map[string]bool{KindBounces: true, KindConfirm: true, KindModerate: true}

// Recipient is a resolved RCPT address.
type Recipient struct {
	Address string
	List    *store.List
	Kind    string
	Token   string // VERP token of a -bounces+TOKEN address
}

// Resolve maps an address to a list and kind, or ErrUnknownRecipient. An
// exact list address wins over a suffix, so a list may be called x-request.
func (p *Pipeline) Resolve(ctx context.Context, address string) (*Recipient, error) {
	addr := store.NormalizeAddress(address)
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" {
		return nil, ErrUnknownRecipient
	}
	if l, err := p.lookup(ctx, addr); err != nil || l != nil {
		return &Recipient{Address: addr, List: l, Kind: KindPost}, err
	}
	base, tok, _ := strings.Cut(local, "+")
	for _, s := range suffixes {
		name, found := strings.CutSuffix(base, "-"+s)
		if !found || name == "" || (tok != "" && !tokenKinds[s]) || (tok == "" && (s == KindConfirm || s == KindModerate)) {
			continue
		}
		l, err := p.lookup(ctx, name+"@"+domain)
		if err != nil || l != nil {
			return &Recipient{Address: addr, List: l, Kind: s, Token: tok}, err
		}
	}
	return nil, ErrUnknownRecipient
}

func (p *Pipeline) lookup(ctx context.Context, addr string) (*store.List, error) {
	l, err := p.st.GetList(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return l, err
}
