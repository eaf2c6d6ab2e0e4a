package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const pgEnv = "LISTSERV_TEST_POSTGRES"

// pgAvailable reports whether PostgreSQL can be used without installing
// anything: LISTSERV_TEST_POSTGRES is set, or initdb and pg_ctl exist.
func pgAvailable() bool {
	if os.Getenv(pgEnv) != "" {
		return true
	}
	_, e1 := exec.LookPath("initdb")
	_, e2 := exec.LookPath("pg_ctl")
	if e1 == nil && e2 == nil {
		return true
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	return len(m) > 0
}

// pgServer is a PostgreSQL server on which each run gets its own database.
type pgServer struct {
	base      string // connection URL of the server (any database)
	stateFile string // pg-throwaway state file; "" when not ours
	script    string
}

// startPG uses LISTSERV_TEST_POSTGRES, or else starts a throwaway cluster
// with scripts/pg-throwaway.sh. The caller must call close, also on error
// (a half-started cluster is stopped then).
func startPG(root, tmp string, log io.Writer) (*pgServer, error) {
	if base := strings.TrimSpace(os.Getenv(pgEnv)); base != "" {
		return &pgServer{base: base}, nil
	}
	p := &pgServer{stateFile: filepath.Join(tmp, "pg-throwaway.state"),
		script: filepath.Join(root, "scripts", "pg-throwaway.sh")}
	fmt.Fprintln(log, "listserv-bench: starting a throwaway PostgreSQL cluster (scripts/pg-throwaway.sh)")
	// Not killed on Ctrl-C (nor reached by the terminal's SIGINT): a script
	// killed half-way could leave a cluster running that no state file
	// names. It takes seconds; close stops the cluster afterwards.
	cmd := exec.Command(p.script, "start")
	cmd.Env = append(os.Environ(), "PG_THROWAWAY_STATE="+p.stateFile)
	cmd.SysProcAttr = childAttr()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, log
	if err := cmd.Run(); err != nil {
		return p, fmt.Errorf("scripts/pg-throwaway.sh start: %w", err)
	}
	p.base = strings.TrimSpace(out.String())
	if !strings.HasPrefix(p.base, "postgres://") {
		return p, fmt.Errorf("scripts/pg-throwaway.sh start printed %q, not a URL", p.base)
	}
	return p, nil
}

// close stops the throwaway cluster, if we started one.
func (p *pgServer) close() error {
	if p == nil || p.stateFile == "" {
		return nil
	}
	if _, err := os.Stat(p.stateFile); err != nil {
		return nil // never got as far as writing it: the script cleaned up
	}
	// Not tied to the (maybe cancelled) run context: this must happen.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, p.script, "stop", p.stateFile).CombinedOutput()
	if err != nil {
		return fmt.Errorf("scripts/pg-throwaway.sh stop %s: %w: %s", p.stateFile, err, out)
	}
	return nil
}

// newDatabase creates an empty database bench_<random> and returns its URL
// and a function that drops it.
func (p *pgServer) newDatabase(ctx context.Context) (string, func() error, error) {
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", nil, err
	}
	name := "bench_" + hex.EncodeToString(rnd[:])
	dbURL, err := withDatabase(p.base, name)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", pgEnv, err)
	}
	conn, err := pgx.Connect(ctx, p.base)
	if err != nil {
		return "", nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+
		" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
	if err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, p.base)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return dbURL, drop, nil
}

// withDatabase returns the URL base naming database name instead of its own.
func withDatabase(base, name string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		u.Path, u.RawPath = "/"+name, ""
		if q := u.Query(); q.Has("dbname") {
			q.Del("dbname")
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	return "", errors.New("must be a postgres:// URL (listserv serve --db takes only URLs)")
}

// redactURL hides a password in a connection URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "…"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}
