package signin

import (
	"context"
	"fmt"
	"net/url"

	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// RequestLink mails a link to address (the web form) only when someone
// here knows it (a member, moderator or owner of any list) and it had
// fewer than PerWindow links this Window; ErrNotSent otherwise.
func (e *Engine) RequestLink(ctx context.Context, address, next string) error {
	ms, err := e.st.Memberships(ctx, address)
	if err != nil {
		return fmt.Errorf("sign-in link: %w", err)
	}
	if len(ms) == 0 {
		return ErrNotSent
	}
	n, err := e.st.CountTokens(ctx, address, purpose, e.Now().Add(-Window))
	if err != nil {
		return fmt.Errorf("sign-in link: %w", err)
	}
	if n >= PerWindow {
		e.log.Info("sign-in links throttled", "to", address)
		return ErrNotSent
	}
	link, err := e.IssueLink(ctx, address, next)
	if err != nil {
		return err
	}
	q, err := notice.LoginLink(e.opt.SiteAddress, address, link, LinkTTL)
	if err != nil {
		return fmt.Errorf("sign-in link: %w", err)
	}
	if err := e.st.EnqueueMail(ctx, q); err != nil {
		return fmt.Errorf("sign-in link: %w", err)
	}
	return nil
}

// IssueLink makes a single-use sign-in URL for address without mailing
// it (an operator's `listserv login-link`, which is trusted: no limit).
// next is where to land after signing in.
func (e *Engine) IssueLink(ctx context.Context, address, next string) (string, error) {
	plain, hash := token.Random()
	next = SafeNext(next)
	now := e.Now()
	t := &store.Token{Hash: hash, Address: address, Purpose: purpose, Data: next, Created: now, Expires: now.Add(LinkTTL)}
	if err := e.st.CreateToken(ctx, t); err != nil {
		return "", fmt.Errorf("sign-in link: %w", err)
	}
	u := e.opt.BaseURL + "/login/" + plain
	if next != "/" {
		u += "?next=" + url.QueryEscape(next)
	}
	return u, nil
}
