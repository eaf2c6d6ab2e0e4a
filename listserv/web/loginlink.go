package web

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// LoginLink makes a single-use sign-in URL for address (also used by
// `listserv login-link`). next is where to land after signing in.
func LoginLink(ctx context.Context, st store.Store, baseURL, address, next string) (string, error) {
	plain, hash := token.Random()
	t := &store.Token{Hash: hash, Address: address, Purpose: "login", Data: safeNext(next), Expires: time.Now().Add(loginTTL)}
	if err := st.CreateToken(ctx, t); err != nil {
		return "", err
	}
	u := strings.TrimRight(baseURL, "/") + "/login/" + plain
	if next != "" && next != "/" {
		u += "?next=" + url.QueryEscape(safeNext(next))
	}
	return u, nil
}
