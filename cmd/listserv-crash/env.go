package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
)

// listAddr is the list every scenario posts to.
const listAddr = "crash@lists.example.org"

// env is what every scenario shares: the server binary built once, a work
// directory, the PostgreSQL server (if any), where to print, and the
// seeded random source.
type env struct {
	bin    string
	work   string
	pgBase string // "" without PostgreSQL
	seed   uint64
	rng    *rand.Rand
	outMu  sync.Mutex
	emit   func(line string) // where progress and result lines go
	runs   int               // stores made, for unique names

	// newPG makes a fresh PostgreSQL database (createPG on pgBase unless
	// a test sets it) and returns its URL and how to drop it.
	newPG func(ctx context.Context, name string) (string, func() error, error)
}

// newEnv builds the server into work.
func newEnv(ctx context.Context, work, pgBase string, seed uint64, emit func(string)) (*env, error) {
	bin, err := buildServer(ctx, work)
	if err != nil {
		return nil, err
	}
	e := &env{bin: bin, work: work, pgBase: pgBase, seed: seed, rng: rand.New(rand.NewPCG(seed, seed>>1|1)), emit: emit}
	e.newPG = func(ctx context.Context, name string) (string, func() error, error) {
		if e.pgBase == "" {
			return "", nil, fmt.Errorf("PostgreSQL wanted but %s is not set", pgEnvVar)
		}
		return createPG(ctx, e.pgBase, name)
	}
	return e, nil
}

func (e *env) printf(format string, args ...any) {
	e.outMu.Lock()
	defer e.outMu.Unlock()
	e.emit(fmt.Sprintf(format, args...))
}

// storeRef is one fresh database for one scenario run.
type storeRef struct {
	kind string // sqlite or postgres
	url  string // what --db gets
	dir  string // data directory and node logs
	drop func() error
}

// newStore makes a fresh database of kind for a scenario run named name.
func (e *env) newStore(ctx context.Context, kind, name string) (*storeRef, error) {
	e.runs++
	dir := filepath.Join(e.work, fmt.Sprintf("%02d-%s-%s", e.runs, name, kind))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s := &storeRef{kind: kind, dir: dir, drop: func() error { return nil }}
	switch kind {
	case "sqlite":
		s.url = filepath.Join(dir, "listserv.db")
	case "postgres":
		u, drop, err := e.newPG(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("create PostgreSQL database: %w", err)
		}
		s.url, s.drop = u, drop
	default:
		return nil, fmt.Errorf("unknown store %q", kind)
	}
	return s, nil
}

// memberAddrs are the addresses of a list of n members, as the sink
// records them (lower case).
func memberAddrs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("m%05d@members.example.net", i+1)
	}
	return out
}

// setupList creates the open list and imports the members with the
// operator commands, as an operator would.
func (e *env) setupList(ctx context.Context, s *storeRef, members []string) error {
	return e.setupListModes(ctx, s, members, func(int) string { return "each" })
}

// setupListModes is setupList with each member's delivery mode.
func (e *env) setupListModes(ctx context.Context, s *storeRef, members []string, mode func(i int) string) error {
	// Only serve and migrate create a store; the operator runs migrate first.
	if err := e.cli(ctx, s.url, "migrate"); err != nil {
		return err
	}
	if err := e.cli(ctx, s.url, "list", "create", listAddr, "--name", "Crash", "--policy", "open"); err != nil {
		return err
	}
	path := filepath.Join(s.dir, "members.csv")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"address", "name", "mode"})
	for i, m := range members {
		_ = w.Write([]string{m, fmt.Sprintf("Member %d", i+1), mode(i)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return e.cli(ctx, s.url, "member", "import", listAddr, path)
}
