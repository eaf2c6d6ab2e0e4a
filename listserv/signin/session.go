package signin

import (
	"context"
	"errors"
	"fmt"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// Session is a signed-in browser: Token goes into its cookie, Hash is
// what the store keeps.
type Session struct {
	Token   string
	Hash    string
	Address string
	// Next is where the link asked to land ("/" when it did not say).
	Next string
}

// Check tells whether a link is still good, without using it (the page a
// GET shows); ErrInvalid when it is not.
func (e *Engine) Check(ctx context.Context, plain string) error {
	_, err := e.st.PeekToken(ctx, token.Hash(plain), purpose, e.Now())
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalid
	}
	if err != nil {
		return fmt.Errorf("check sign-in link: %w", err)
	}
	return nil
}

// Redeem uses a link once and opens a session for its address, both in
// one transaction; ErrInvalid when the link is unknown, used or expired.
func (e *Engine) Redeem(ctx context.Context, plain string) (*Session, error) {
	sess, hash := token.Random()
	now := e.Now()
	t, err := e.st.RedeemLogin(ctx, token.Hash(plain), hash, now, now.Add(SessionTTL))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	e.log.Info("signed in", "address", t.Address)
	return &Session{Token: sess, Hash: hash, Address: t.Address, Next: SafeNext(t.Data)}, nil
}

// Resolve returns the session a cookie names; ErrInvalid when it is
// unknown or expired.
func (e *Engine) Resolve(ctx context.Context, cookie string) (*Session, error) {
	h := token.Hash(cookie)
	addr, err := e.st.GetSession(ctx, h, e.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return &Session{Token: cookie, Hash: h, Address: addr, Next: "/"}, nil
}

// SignOut ends the session with this hash.
func (e *Engine) SignOut(ctx context.Context, hash string) error {
	if err := e.st.DeleteSession(ctx, hash); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}
