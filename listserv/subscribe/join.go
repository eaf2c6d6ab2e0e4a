package subscribe

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// Request is someone asking to join a list.
type Request struct {
	Address  string
	Name     string
	How      string // web or email
	Origin   string // client IP or sender address: kept as evidence
	ClientIP string // when set, the per-IP throttle applies
}

// tokenData travels in sub_tokens.data.
type tokenData struct {
	Name   string `json:"name,omitempty"`
	How    string `json:"how"`
	Origin string `json:"origin,omitempty"`
	By     string `json:"by,omitempty"`   // who invited
	From   string `json:"from,omitempty"` // address change: the old address
}

func (d tokenData) json() string { b, _ := json.Marshal(d); return string(b) }

// RequestJoin mails a confirmation link. It answers nil whether a mail was
// sent or quietly held back (already a member, throttled), so the form
// tells nobody who is subscribed and cannot mail-bomb a stranger.
func (e *Engine) RequestJoin(ctx context.Context, l *store.List, r Request) error {
	now := e.Now()
	if r.ClientIP != "" {
		ok, err := e.st.Throttle(ctx, "join-ip:"+r.ClientIP, e.opt.IPLimit, e.opt.IPWindow, now)
		if err != nil {
			return err
		}
		if !ok {
			return ErrTooMany
		}
	}
	acc, err := e.st.GetListAccess(ctx, l.ID)
	if err != nil {
		return err
	}
	if acc.Join == store.JoinInvite {
		return ErrInviteOnly
	}
	if _, err := e.st.GetMember(ctx, l.ID, r.Address); err == nil {
		return e.tellAlready(ctx, l, r.Address)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	d := tokenData{Name: r.Name, How: r.How, Origin: r.Origin}
	plain, ok, err := e.newToken(ctx, store.TokenJoin, r.Address, l.ID, d, e.opt.Limits)
	if err != nil || !ok {
		return err
	}
	if err := e.st.AddConsent(ctx, &store.Consent{Address: r.Address, ListID: l.ID, Action: "requested",
		How: r.How, Origin: r.Origin, At: now}); err != nil {
		return err
	}
	subject, body := e.confirmText(l, e.opt.BaseURL+"/confirm/"+plain, false, "")
	e.log.Info("confirmation sent", "list", l.Address, "to", r.Address, "how", r.How)
	return e.send(ctx, forList(l, note{to: r.Address, subject: subject, body: body,
		replyTo: l.SubAddress("confirm+" + plain), autoReplied: r.How == "email"}))
}

// newToken stores a token within lim; ok is false when throttled.
func (e *Engine) newToken(ctx context.Context, kind, address string, listID int64, d tokenData, lim store.TokenLimits) (string, bool, error) {
	plain, hash := token.Random()
	now := e.Now()
	err := e.st.CreateSubToken(ctx, &store.SubToken{Hash: hash, Kind: kind, Address: address, ListID: listID,
		Data: d.json(), Created: now, Expires: now.Add(e.opt.TokenTTL)}, lim)
	if errors.Is(err, store.ErrThrottled) {
		e.log.Info("confirmation throttled", "kind", kind, "to", address, "list", listID)
		return "", false, nil
	}
	return plain, err == nil, err
}

// tellAlready tells a member once a day that they are already on the list.
func (e *Engine) tellAlready(ctx context.Context, l *store.List, address string) error {
	ok, err := e.st.Throttle(ctx, "already:"+strconv.FormatInt(l.ID, 10)+":"+store.NormalizeAddress(address), 1, 24*time.Hour, e.Now())
	if err != nil || !ok {
		return err
	}
	subject, body := e.alreadyText(l)
	return e.send(ctx, forList(l, note{to: address, subject: subject, body: body}))
}

// Invite mails an invitation (owners, and `member import --invite`).
// Inviting again while an invitation is still open does nothing; sent
// is false then, and when the address is already a member.
func (e *Engine) Invite(ctx context.Context, l *store.List, address, name, by, how string) (sent bool, err error) {
	if _, err := e.st.GetMember(ctx, l.ID, address); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	lim := store.TokenLimits{PerList: 1, ListWindow: e.opt.TokenTTL}
	plain, ok, err := e.newToken(ctx, store.TokenInvite, address, l.ID, tokenData{Name: name, How: how, By: by}, lim)
	if err != nil || !ok {
		return false, err
	}
	if err := e.st.AddConsent(ctx, &store.Consent{Address: address, ListID: l.ID, Action: "invited", How: how,
		Origin: by, At: e.Now()}); err != nil {
		return false, err
	}
	subject, body := e.confirmText(l, e.opt.BaseURL+"/confirm/"+plain, true, by)
	return true, e.send(ctx, forList(l, note{to: address, subject: subject, body: body, replyTo: l.SubAddress("confirm+" + plain)}))
}
