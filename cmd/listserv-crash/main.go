// Command listserv-crash is the crash harness: it runs the real server
// binary as child processes against a recording SMTP sink, kills them at
// random moments (SIGKILL), stops them gracefully (SIGTERM), and checks
// that every acknowledged post reaches every member and that duplicates
// never exceed the copies in flight at a kill.
//
//	go run ./cmd/listserv-crash [-rounds 20] [-store sqlite|postgres|both]
//	    [-faults none|refuse|drop|all] [-scenario crash|sigterm|nodes|digest|all]
//	    [-members 300] [-posts 12] [-digest-rounds 6] [-digest-members 300]
//	    [-seed N] [-keep]
//
// PostgreSQL comes from LISTSERV_TEST_POSTGRES; each scenario gets a fresh
// database, dropped afterwards.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := mainErr(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "listserv-crash:", err)
		stop()
		os.Exit(1)
	}
}

func mainErr(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("listserv-crash", flag.ContinueOnError)
	cfg := defaultPlan()
	fs.IntVar(&cfg.rounds, "rounds", cfg.rounds, "crash rounds per store and fault mode")
	fs.IntVar(&cfg.members, "members", cfg.members, "members of the list in crash rounds")
	fs.IntVar(&cfg.posts, "posts", cfg.posts, "posts per crash round")
	fs.IntVar(&cfg.digestRounds, "digest-rounds", cfg.digestRounds, "rounds of the digest scenario")
	fs.IntVar(&cfg.digestMembers, "digest-members", cfg.digestMembers, "daily-digest members in the digest scenario")
	store := fs.String("store", "", "sqlite, postgres or both (default both when "+pgEnvVar+" is set, else sqlite)")
	faults := fs.String("faults", "all", "none, refuse, drop or all (in sequence)")
	scenario := fs.String("scenario", "all", "crash, sigterm, nodes, digest or all")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()%1e9), "random seed (printed, to repeat a run)")
	keep := fs.Bool("keep", false, "keep the work directory (logs, SQLite files) even on success")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pg := os.Getenv(pgEnvVar)
	var err error
	if cfg.stores, err = pickStores(*store, pg != ""); err != nil {
		return err
	}
	if cfg.faults, err = pick("faults", *faults, "none", "refuse", "drop"); err != nil {
		return err
	}
	if cfg.scenarios, err = pick("scenario", *scenario, "crash", "sigterm", "nodes", "digest"); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "listserv-crash-")
	if err != nil {
		return err
	}
	fmt.Printf("listserv-crash: seed=%d stores=%s faults=%s scenarios=%s work=%s\n", *seed,
		strings.Join(cfg.stores, ","), strings.Join(cfg.faults, ","), strings.Join(cfg.scenarios, ","), work)
	e, err := newEnv(ctx, work, pg, *seed, func(line string) { fmt.Println(line) })
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := e.runPlan(ctx, cfg)
	fmt.Println(sum.String(time.Since(start)))
	if err != nil {
		fmt.Printf("listserv-crash: FAILED (seed=%d); logs kept in %s\n", *seed, work)
		return err
	}
	if !*keep {
		os.RemoveAll(work)
	}
	fmt.Printf("listserv-crash: PASS (seed=%d)\n", *seed)
	return nil
}

func pickStores(v string, havePG bool) ([]string, error) {
	switch v {
	case "":
		if havePG {
			return []string{"sqlite", "postgres"}, nil
		}
		return []string{"sqlite"}, nil
	case "both":
		if !havePG {
			return nil, fmt.Errorf("-store both needs %s", pgEnvVar)
		}
		return []string{"sqlite", "postgres"}, nil
	case "postgres":
		if !havePG {
			return nil, fmt.Errorf("-store postgres needs %s", pgEnvVar)
		}
	case "sqlite":
	default:
		return nil, fmt.Errorf("-store must be sqlite, postgres or both, not %q", v)
	}
	return []string{v}, nil
}

// pick expands "all" to every choice and checks a single one.
func pick(name, v string, choices ...string) ([]string, error) {
	if v == "all" {
		return choices, nil
	}
	for _, c := range choices {
		if v == c {
			return []string{v}, nil
		}
	}
	return nil, fmt.Errorf("-%s must be one of %s or all, not %q", name, strings.Join(choices, ", "), v)
}
