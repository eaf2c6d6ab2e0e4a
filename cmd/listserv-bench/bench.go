package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// bench holds what every run shares: the built binary, the temp dir and
// the PostgreSQL server.
type bench struct {
	cfg    *config
	log    io.Writer
	tmp    string
	bin    string
	pg     *pgServer
	stores []string
	source string // git commit of the server built
}

// newBench builds the server and prepares PostgreSQL. When it returns a
// non-nil bench, the caller must close it, also on error.
func newBench(ctx context.Context, cfg *config, log io.Writer) (*bench, error) {
	tmp, err := os.MkdirTemp("", "listserv-bench-")
	if err != nil {
		return nil, err
	}
	b := &bench{cfg: cfg, log: log, tmp: tmp, stores: cfg.stores}
	root, err := moduleRoot(ctx)
	if err != nil {
		return b, err
	}
	b.source = sourceVersion(ctx, root)
	fmt.Fprintf(log, "listserv-bench: building ./cmd/listserv (%s)\n", b.source)
	if b.bin, err = buildServer(ctx, root, tmp); err != nil {
		return b, err
	}
	if cfg.storesAuto {
		b.stores = []string{"sqlite"}
		if pgAvailable() {
			b.stores = append(b.stores, "postgres")
		} else {
			fmt.Fprintln(log, "listserv-bench: PostgreSQL not available (no $LISTSERV_TEST_POSTGRES, no initdb/pg_ctl): sqlite only")
		}
	}
	if slices.Contains(b.stores, "postgres") {
		b.pg, err = startPG(root, tmp, log)
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// close stops the throwaway PostgreSQL and removes the temp dir.
func (b *bench) close() error {
	err := b.pg.close()
	if b.cfg.keep {
		fmt.Fprintf(b.log, "listserv-bench: kept %s\n", b.tmp)
	} else if rerr := os.RemoveAll(b.tmp); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

func (b *bench) newSink() (relaySink, error) { return newSink(b.cfg.sink) }

// runAll measures the Postfix reference, then every store × size.
func (b *bench) runAll(ctx context.Context) *report {
	rep := newReport(b.cfg, b.stores)
	rep.Source = b.source
	if sink, err := b.newSink(); err != nil {
		rep.SMTPSourceNote = err.Error()
	} else {
		src, err := measureSMTPSource(ctx, sink, b.cfg.sourceCount, b.log)
		switch {
		case err != nil:
			rep.SMTPSourceNote = err.Error()
		case src == nil && b.cfg.sourceCount == 0:
			rep.SMTPSourceNote = "skipped (-smtp-source-messages 0)"
		case src == nil:
			rep.SMTPSourceNote = "not measured: smtp-source is not on PATH (apt-get install postfix)"
		}
		rep.SMTPSource = src
		_ = sink.Close()
	}
	if b.cfg.dkim {
		s, err := measureSigning()
		if err != nil {
			fmt.Fprintf(b.log, "listserv-bench: signing: %v\n", err)
		}
		rep.Signing = s
	}
	for _, store := range b.stores {
		for _, n := range b.cfg.members {
			if ctx.Err() != nil {
				return rep
			}
			fmt.Fprintf(b.log, "listserv-bench: %s, %d members\n", store, n)
			res := result{Store: store, Members: n}
			if err := b.runOne(ctx, &res); err != nil {
				res.Error = err.Error()
				fmt.Fprintf(b.log, "listserv-bench: %s, %d members: FAILED: %v\n", store, n, err)
				if !b.cfg.keep {
					fmt.Fprintln(b.log, "listserv-bench: (run with -keep to keep the server logs and data)")
				}
			}
			res.fill(rep.SMTPSource)
			rep.Results = append(rep.Results, res)
		}
	}
	return rep
}

var importedRe = regexp.MustCompile(`imported (\d+)`)

// runOne measures one store × size on a fresh database.
func (b *bench) runOne(ctx context.Context, res *result) error {
	n := res.Members
	dir := filepath.Join(b.tmp, fmt.Sprintf("%s-%d", res.Store, n))
	c := cli{bin: b.bin, data: filepath.Join(dir, "data")}
	if err := os.MkdirAll(c.data, 0o755); err != nil {
		return err
	}
	if res.Store == "postgres" {
		dbURL, drop, err := b.pg.newDatabase(ctx)
		if err != nil {
			return err
		}
		defer func() {
			if err := drop(); err != nil {
				fmt.Fprintf(b.log, "listserv-bench: %v\n", err)
			}
		}()
		c.db = dbURL
	}

	// The store, as an operator makes it (other commands refuse to create
	// one), then lists and members.
	if _, err := c.run(ctx, "migrate"); err != nil {
		return err
	}
	if _, err := c.run(ctx, "list", "create", benchList, "--policy", "open"); err != nil {
		return err
	}
	csv := filepath.Join(dir, "members.csv")
	if err := writeMembersCSV(csv, n); err != nil {
		return err
	}
	start := time.Now()
	out, err := c.run(ctx, "member", "import", benchList, csv)
	if err != nil {
		return err
	}
	res.ImportSeconds = time.Since(start).Seconds()
	res.ImportRowsPerSec = float64(n) / res.ImportSeconds
	if m := importedRe.FindStringSubmatch(out); m == nil || m[1] != strconv.Itoa(n) {
		return fmt.Errorf("member import: expected %d imported, got: %s", n, strings.TrimSpace(out))
	}
	if _, err := c.run(ctx, "list", "create", smallList, "--policy", "open"); err != nil {
		return err
	}
	add := []string{"member", "add", smallList}
	for i := 1; i <= smallSize; i++ {
		add = append(add, smallAddr(i))
	}
	if _, err := c.run(ctx, add...); err != nil {
		return err
	}

	if err := setupDigestList(ctx, c, filepath.Join(dir, "digest-members.csv"), n); err != nil {
		return err
	}

	sink, err := b.newSink()
	if err != nil {
		return err
	}
	defer sink.Close()
	opts := serverOpts{bin: b.bin, data: c.data, db: c.db, relay: sink.URL(), delivery: true,
		workers: b.cfg.workers, chunkSize: b.cfg.chunkSize,
		cpuProfile: b.profilePath(res.Store, n), logPath: filepath.Join(dir, "serve-delivery.log")}
	res.CPUProfile = opts.cpuProfile
	dur := time.Duration(b.cfg.intakeSeconds * float64(time.Second))

	// Delivery on: fan-out, then intake while copies go out.
	srv, err := startServer(ctx, opts)
	if err != nil {
		return err
	}
	defer srv.stop()
	fan, err := measureFanout(ctx, srv, sink, n, b.cfg.fanoutTimeout, b.log)
	if err != nil {
		return err
	}
	res.Fanout = &fan
	if b.cfg.idleSeconds > 0 {
		idle, err := measureIdle(ctx, srv, sink, time.Duration(b.cfg.idleSeconds*float64(time.Second)))
		if err != nil {
			return err
		}
		res.Idle = idle
	}
	dg, err := measureDigest(ctx, srv, sink, c, n, b.cfg.fanoutTimeout, b.log)
	if err != nil {
		return err
	}
	res.Digest = &dg
	withDelivery, err := measureIntake(ctx, srv, sink, b.cfg.intakeClients, dur)
	if err != nil {
		return err
	}
	res.IntakeDelivery = &withDelivery
	srv.stop()

	// Delivery off: acceptance alone (its posts stay queued).
	opts.delivery, opts.cpuProfile = false, ""
	opts.logPath = filepath.Join(dir, "serve-paused.log")
	paused, err := startServer(ctx, opts)
	if err != nil {
		return err
	}
	defer paused.stop()
	p, err := measureIntake(ctx, paused, sink, b.cfg.intakeClients, dur)
	if err != nil {
		return err
	}
	res.IntakePaused = &p
	paused.stop()
	if b.cfg.dkim {
		opts.delivery = true
		res.DKIM = measureSignedFanouts(ctx, b, c, opts, sink, n)
	}
	return nil
}

// profilePath is where the delivery-on server of this run writes its CPU
// profile: -cpuprofile as given for a single run, else with the store and
// size added before the extension.
func (b *bench) profilePath(store string, n int) string {
	p := b.cfg.cpuProfile
	if p == "" {
		return ""
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if len(b.stores)*len(b.cfg.members) == 1 {
		return p
	}
	ext := filepath.Ext(p)
	return fmt.Sprintf("%s-%s-%d%s", strings.TrimSuffix(p, ext), store, n, ext)
}
