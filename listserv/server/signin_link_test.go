package server_test

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/signin"
	"github.com/demnet-uk/listserv/listserv/store"
)

// signinLink is what `listserv login-link` prints: a sign-in URL from the
// signin engine, for tests that start signed in.
func signinLink(ctx context.Context, st store.Store, base, addr, next string) (string, error) {
	return signin.New(st, nil, signin.Options{BaseURL: base}).IssueLink(ctx, addr, next)
}
