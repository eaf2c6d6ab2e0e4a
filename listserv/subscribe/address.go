package subscribe

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// RequestAddressChange mails a link to the new address; nothing moves
// until it is confirmed there, so nobody can take over another mailbox.
func (e *Engine) RequestAddressChange(ctx context.Context, from, to, origin string) error {
	if store.NormalizeAddress(from) == store.NormalizeAddress(to) {
		return nil
	}
	// Each new address gets one link an hour (the token limits); one
	// account can ask for at most five a day, whatever the addresses.
	if ok, err := e.st.Throttle(ctx, "address-from:"+store.NormalizeAddress(from), 5, 24*time.Hour, e.Now()); err != nil || !ok {
		return err
	}
	plain, ok, err := e.newToken(ctx, store.TokenAddress, to, 0, tokenData{How: "web", Origin: origin, From: from}, e.opt.Limits)
	if err != nil || !ok {
		return err
	}
	subject, body := e.addressText(from, e.opt.BaseURL+"/confirm/"+plain)
	return e.send(ctx, e.fromSite(note{to: to, subject: subject, body: body}))
}

func (e *Engine) moveAddress(ctx context.Context, from, to, how, origin string) error {
	if err := e.st.ChangeAddress(ctx, from, to); err != nil {
		return err
	}
	e.log.Info("address changed", "from", from, "to", to)
	return e.st.AddConsent(ctx, &store.Consent{Address: to, Action: "address-changed", How: how, Origin: origin,
		Detail: "moved from " + from, At: e.Now()})
}
