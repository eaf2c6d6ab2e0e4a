package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/demnet-uk/listserv/listserv/apppass"
	"github.com/demnet-uk/listserv/listserv/imapd"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// imapRuns is how many times the whole FETCH is repeated per store.
const imapRuns = 20

// runIMAPBench (-imap-fetch N) measures what a mail client's first sync
// of a list costs: UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE
// ENVELOPE BODY.PEEK[HEADER]) over N archived 4 KB posts, on each store,
// the IMAP server in this process on loopback. It prints p50 and p99 of
// the whole FETCH and messages per second.
func runIMAPBench(ctx context.Context, cfg *config, stdout, stderr io.Writer) error {
	stores := cfg.stores
	if cfg.storesAuto {
		stores = []string{"sqlite"}
		if pgAvailable() {
			stores = append(stores, "postgres")
		}
	}
	tmp, err := os.MkdirTemp("", "listserv-bench-imap-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(stdout, "IMAP: UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODY.PEEK[HEADER]) of %d posts, %d runs\n", cfg.imapFetch, imapRuns)
	fmt.Fprintf(stdout, "%-9s %10s %10s %12s\n", "store", "p50", "p99", "msgs/s p50")
	for _, name := range stores {
		url, drop, err := imapBenchDB(ctx, name, tmp, stderr)
		if err != nil {
			return err
		}
		d, err := imapBenchOne(ctx, url, cfg.imapFetch)
		if derr := drop(); err == nil {
			err = derr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		slices.Sort(d)
		p50, p99 := d[len(d)/2], d[min(len(d)-1, len(d)*99/100)]
		fmt.Fprintf(stdout, "%-9s %10v %10v %12.0f\n", name, p50.Round(time.Microsecond*100), p99.Round(time.Microsecond*100),
			float64(cfg.imapFetch)/p50.Seconds())
	}
	return nil
}

func imapBenchDB(ctx context.Context, name, tmp string, log io.Writer) (string, func() error, error) {
	if name == "sqlite" {
		return filepath.Join(tmp, "imap.db"), func() error { return nil }, nil
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", nil, err
	}
	pg, err := startPG(root, tmp, log)
	if err != nil {
		return "", nil, err
	}
	url, drop, err := pg.newDatabase(ctx)
	if err != nil {
		pg.close()
		return "", nil, err
	}
	return url, func() error {
		err := drop()
		if cerr := pg.close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}

// imapBenchOne fills a list with n posts and times imapRuns FETCHes.
func imapBenchOne(ctx context.Context, url string, n int) ([]time.Duration, error) {
	db, err := sqldb.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	l := &store.List{Address: "bench@lists.example.org", Archive: "members"}
	if err := db.CreateList(ctx, l); err != nil {
		return nil, err
	}
	if _, _, err := db.AddMembers(ctx, l.ID, []store.NewMember{{Address: "reader@example.net"}}); err != nil {
		return nil, err
	}
	for i := 0; i < n; i += 100 {
		var items []*store.Intake
		for j := i; j < min(i+100, n); j++ {
			msgID := fmt.Sprintf("imap-bench-%d@example.net", j)
			raw := post("ann@example.net", l.Address, fmt.Sprintf("Post %d", j), msgID, time.Now())
			items = append(items, &store.Intake{Message: &store.Message{ListID: l.ID, FromAddr: "ann@example.net",
				Subject: fmt.Sprintf("Post %d", j), MessageID: msgID,
				SentAt: time.Now(), Raw: raw, State: store.StateAccepted}})
		}
		if err := db.SaveIntake(ctx, items); err != nil {
			return nil, err
		}
	}
	log := slog.New(slog.DiscardHandler)
	auth := apppass.New(db, log)
	pw, _, err := auth.Create(ctx, "reader@example.net", "bench", "bench")
	if err != nil {
		return nil, err
	}
	srv := imapd.New(db, auth, imapd.Config{Log: log})
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go srv.Serve(ln)
	c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Login("reader@example.net", pw).Wait(); err != nil {
		return nil, err
	}
	if _, err := c.Select("Lists/"+l.Address, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil, err
	}
	opts := &imap.FetchOptions{UID: true, Flags: true, RFC822Size: true, InternalDate: true, Envelope: true,
		BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeader, Peek: true}}}
	var all imap.UIDSet
	all.AddRange(1, 0)
	var out []time.Duration
	for range imapRuns {
		t0 := time.Now()
		msgs, err := c.Fetch(all, opts).Collect()
		if err != nil {
			return nil, err
		}
		if len(msgs) != n {
			return nil, fmt.Errorf("fetched %d messages, want %d", len(msgs), n)
		}
		out = append(out, time.Since(t0))
	}
	return out, nil
}
