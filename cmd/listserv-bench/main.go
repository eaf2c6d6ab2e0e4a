// Command listserv-bench measures the real listserv server, run as a
// separate process, on SQLite and PostgreSQL: member import, one post fanned
// out to every member of a large list (time, peak RSS, CPU), and SMTP intake
// with delivery paused and with delivery on. It prints one table and can
// write the same as JSON.
//
//	go run ./cmd/listserv-bench -members 10000,100000 -stores sqlite,postgres
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const usageText = `listserv-bench: benchmark the real listserv server (run as a separate process)

Usage:
  go run ./cmd/listserv-bench [flags]

For each store and list size it creates a fresh database, imports the members
from a CSV (listserv member import), starts "listserv serve" with an SMTP sink
as its relay, sends one 4 KB post to the list and times the fan-out
until the sink has one copy per member (sampling the server's RSS and CPU from
/proc), then measures SMTP intake with 20 clients, once with delivery on and
once with the server restarted with --delivery off.

PostgreSQL: LISTSERV_TEST_POSTGRES (a fresh database bench_<random> is created
per run and dropped after), else a throwaway cluster from scripts/pg-throwaway.sh.

Postfix reference: when smtp-source is installed (apt-get install postfix; PATH
or /usr/sbin), the run also measures what "smtp-source -d -s 50 -l 4400 -m 50000"
(persistent connections) pushes into the same sink and prints fan-out as a
ratio of that. The sink is Postfix's smtp-sink when installed (-sink auto),
else the in-process Go sink. Beside each figure is the CPU that other
processes on the machine used meanwhile, as a share of all cores.

Idle CPU: after the fan-out, the server's CPU over -idle-seconds (a server
at rest should use well under 2 % of one core).

Flags:
`

// config is everything the flags choose.
type config struct {
	stores        []string
	storesAuto    bool
	members       []int
	intakeSeconds float64
	intakeClients int
	workers       int
	chunkSize     int
	jsonPath      string
	keep          bool
	cpuProfile    string
	sink          string
	idleSeconds   float64
	fanoutTimeout time.Duration
	sourceCount   int
	archivePosts  int  // -archive-posts: run the archive benchmark instead (archive.go)
	dkim          bool // dkim.go: signing cost and signed fan-outs
	// imapFetch > 0 runs only the IMAP FETCH benchmark (imap.go).
	imapFetch int
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		signal.Reset(os.Interrupt, syscall.SIGTERM) // a second one kills at once
		fmt.Fprintf(os.Stderr, "listserv-bench: %v: stopping the server and cleaning up (again to abort)\n", s)
		cancel()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		if err != errUsage {
			fmt.Fprintln(os.Stderr, "listserv-bench:", err)
		}
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("listserv-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	stores := fs.String("stores", "", "comma-separated stores: sqlite, postgres (default both when PostgreSQL is available, else sqlite)")
	members := fs.String("members", "1000,10000,100000", "comma-separated list sizes")
	c := &config{}
	fs.Float64Var(&c.intakeSeconds, "intake-seconds", 5, "duration of each intake measurement, in seconds")
	fs.IntVar(&c.intakeClients, "intake-clients", 20, "concurrent SMTP clients during intake (one connection each)")
	fs.IntVar(&c.workers, "workers", 0, "passed to serve as --workers (0: the server's default)")
	fs.IntVar(&c.chunkSize, "chunk-size", 0, "passed to serve as --chunk-size (0: the server's default)")
	fs.StringVar(&c.jsonPath, "json", "", "also write the results as JSON to this file")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary directories (data, logs, CSVs) and print where")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "have the server write a CPU profile here (sets LISTSERV_CPUPROFILE for the delivery-on server; with several runs the store and size are added to the name)")
	fs.StringVar(&c.sink, "sink", "auto", "relay the server delivers to: postfix (smtp-sink), go (in-process sink), or auto (postfix when installed)")
	fs.Float64Var(&c.idleSeconds, "idle-seconds", 5, "after the fan-out, measure the idle server's CPU for this long (0 skips)")
	fs.DurationVar(&c.fanoutTimeout, "fanout-timeout", 15*time.Minute, "give up on one fan-out after this long")
	fs.IntVar(&c.sourceCount, "smtp-source-messages", 50000, "messages smtp-source sends for the Postfix reference (0 skips it)")
	fs.IntVar(&c.archivePosts, "archive-posts", 0, "instead of the above, measure the web archive: thread-page and search latency on a list with this many posts")
	fs.BoolVar(&c.dkim, "dkim", true, "measure DKIM signing per copy and repeat each fan-out signed (Ed25519, then RSA-2048 + Ed25519)")
	fs.IntVar(&c.imapFetch, "imap-fetch", 0, "instead of the rest: time IMAP FETCH of this many posts' headers (e.g. 1000)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage // flag has printed the error and the usage
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	var err error
	if c.members, err = parseSizes(*members); err != nil {
		return nil, err
	}
	if *stores == "" {
		c.storesAuto = true
	} else {
		for _, s := range strings.Split(*stores, ",") {
			s = strings.TrimSpace(s)
			if s != "sqlite" && s != "postgres" {
				return nil, fmt.Errorf("%w: -stores: unknown store %q (sqlite, postgres)", errUsage, s)
			}
			c.stores = append(c.stores, s)
		}
	}
	switch {
	case c.intakeSeconds <= 0:
		return nil, fmt.Errorf("%w: -intake-seconds must be positive", errUsage)
	case c.intakeClients <= 0:
		return nil, fmt.Errorf("%w: -intake-clients must be positive", errUsage)
	case c.workers < 0 || c.chunkSize < 0 || c.sourceCount < 0:
		return nil, fmt.Errorf("%w: -workers, -chunk-size and -smtp-source-messages must not be negative", errUsage)
	case c.sink != "go" && c.sink != "postfix" && c.sink != "auto":
		return nil, fmt.Errorf("%w: -sink must be auto, go or postfix", errUsage)
	case c.idleSeconds < 0:
		return nil, fmt.Errorf("%w: -idle-seconds must not be negative", errUsage)
	}
	c.sink = sinkKind(c.sink)
	return c, nil
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%w: -members: %q is not a positive number", errUsage, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// run is the whole benchmark; every resource it starts is released before it
// returns, also when ctx is cancelled.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if cfg.archivePosts > 0 {
		return runArchiveBench(ctx, cfg, stdout, stderr)
	}
	if cfg.imapFetch > 0 {
		return runIMAPBench(ctx, cfg, stdout, stderr)
	}
	b, err := newBench(ctx, cfg, stderr)
	if b != nil {
		defer func() {
			if cerr := b.close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	if err != nil {
		return err
	}
	rep := b.runAll(ctx)
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}
	rep.Command = commandLine(args)
	printReport(stdout, rep)
	printSigning(stdout, rep)
	if cfg.jsonPath != "" {
		if err := writeJSON(cfg.jsonPath, rep); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "listserv-bench: wrote %s\n", cfg.jsonPath)
	}
	if n := rep.failed(); n > 0 {
		return fmt.Errorf("%d of %d runs failed (see the errors above)", n, len(rep.Results))
	}
	return nil
}
