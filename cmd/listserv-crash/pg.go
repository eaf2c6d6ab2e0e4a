package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgEnvVar names the PostgreSQL server to use, as for the test suite.
const pgEnvVar = "LISTSERV_TEST_POSTGRES"

// createPG makes a fresh, empty database on the server at base and returns
// its URL and a function that drops it.
func createPG(ctx context.Context, base, prefix string) (string, func() error, error) {
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	name := "crash_" + prefix + "_" + hex.EncodeToString(rnd[:])
	u, err := url.Parse(base)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return "", nil, errors.New(pgEnvVar + " must be a postgres:// URL")
	}
	u.Path, u.RawPath = "/"+name, ""
	if q := u.Query(); q.Has("dbname") {
		q.Del("dbname")
		u.RawQuery = q.Encode()
	}
	err = pgAdmin(ctx, base, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+
		" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
	if err != nil {
		return "", nil, err
	}
	drop := func() error {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return pgAdmin(dctx, base, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}

func pgAdmin(ctx context.Context, base, stmt string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, stmt)
	return err
}
