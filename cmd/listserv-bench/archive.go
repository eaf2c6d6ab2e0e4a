package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/demnet-uk/listserv/listserv/archive"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// The archive benchmark (-archive-posts N): a list with N synthetic posts
// (Zipf-distributed words, threads of replies), stored and indexed
// through the store, then "listserv serve" answering thread pages and
// searches over HTTP, one request at a time, on each store.

const (
	archiveList     = "archive@bench.example.org"
	archiveListID   = "archive.bench.example.org"
	archiveVocab    = 20000
	archiveRequests = 600
	archiveBatch    = 1000
)

type archiveResult struct {
	Store            string  `json:"store"`
	Posts            int     `json:"posts"`
	Threads          int64   `json:"threads"`
	FillSeconds      float64 `json:"fill_seconds"`
	IndexPostsPerSec float64 `json:"index_posts_per_sec"`
	ThreadP50        float64 `json:"thread_p50_ms"`
	ThreadP99        float64 `json:"thread_p99_ms"`
	SearchP50        float64 `json:"search_p50_ms"`
	SearchP99        float64 `json:"search_p99_ms"`
	CommonP50        float64 `json:"search_common_p50_ms"`
	CommonP99        float64 `json:"search_common_p99_ms"`
	MboxSeconds      float64 `json:"mbox_seconds"`
	MboxMB           float64 `json:"mbox_mb"`
	RSSBeforeMB      float64 `json:"rss_before_mbox_mb"`
	RSSPeakMB        float64 `json:"rss_peak_mbox_mb"`
	Error            string  `json:"error,omitempty"`
}

// runArchiveBench measures every store and prints one table.
func runArchiveBench(ctx context.Context, cfg *config, stdout, stderr io.Writer) error {
	b, err := newBench(ctx, cfg, stderr)
	if b != nil {
		defer b.close()
	}
	if err != nil {
		return err
	}
	var rs []archiveResult
	for _, st := range b.stores {
		fmt.Fprintf(stderr, "listserv-bench: archive of %d posts on %s\n", cfg.archivePosts, st)
		r := archiveResult{Store: st, Posts: cfg.archivePosts}
		if err := b.archiveOne(ctx, &r, stderr); err != nil {
			r.Error = err.Error()
			fmt.Fprintf(stderr, "listserv-bench: archive on %s: FAILED: %v\n", st, err)
		}
		rs = append(rs, r)
	}
	printArchive(stdout, rs)
	if cfg.jsonPath != "" {
		out, err := json.MarshalIndent(map[string]any{"date": time.Now().UTC().Format(time.RFC3339), "source": b.source,
			"load_average": loadAverage(), "archive": rs}, "", "  ")
		if err == nil {
			err = os.WriteFile(cfg.jsonPath, out, 0o644)
		}
		if err != nil {
			return err
		}
	}
	for _, r := range rs {
		if r.Error != "" {
			return fmt.Errorf("archive benchmark failed on %s", r.Store)
		}
	}
	return nil
}

func (b *bench) archiveOne(ctx context.Context, r *archiveResult, log io.Writer) error {
	dir := filepath.Join(b.tmp, "archive-"+r.Store)
	c := cli{bin: b.bin, data: filepath.Join(dir, "data"), db: filepath.Join(dir, "archive.db")}
	if err := os.MkdirAll(c.data, 0o755); err != nil {
		return err
	}
	if r.Store == "postgres" {
		dbURL, drop, err := b.pg.newDatabase(ctx)
		if err != nil {
			return err
		}
		if b.cfg.keep {
			fmt.Fprintf(log, "listserv-bench: keeping the database %s\n", redactURL(dbURL))
		} else {
			defer drop()
		}
		c.db = dbURL
	}
	if _, err := c.run(ctx, "migrate"); err != nil {
		return err
	}
	g := newCorpus(1)
	if err := fillArchive(ctx, c.db, r, g, log); err != nil {
		return err
	}
	srv, err := startServer(ctx, serverOpts{bin: b.bin, data: c.data, db: c.db, relay: "capture",
		logPath: filepath.Join(dir, "serve.log")})
	if err != nil {
		return err
	}
	defer srv.stop()
	if err := measureArchive(ctx, "http://"+srv.httpAddr, r, g); err != nil {
		return err
	}
	return measureMbox(ctx, srv, r)
}

// measureMbox downloads the whole archive as mbox while sampling the
// server's RSS: streamed page by page, it must stay near where it was.
func measureMbox(ctx context.Context, srv *server, r *archiveResult) error {
	before, err := procStatusKB(srv.pid, "VmRSS")
	if err != nil {
		return err
	}
	rss := startRSSSampler(srv.pid, 50*time.Millisecond)
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+srv.httpAddr+"/lists/"+archiveListID+"/archive.mbox", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		rss.stop()
		return err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	peak, _, rerr := rss.stop()
	if err != nil || rerr != nil {
		return fmt.Errorf("mbox export: %v %v", err, rerr)
	}
	r.MboxSeconds, r.MboxMB = time.Since(start).Seconds(), float64(n)/(1<<20)
	r.RSSBeforeMB, r.RSSPeakMB = mb(before), mb(peak)
	return nil
}

// fillArchive stores the posts (group commits of archiveBatch) and runs
// the archive indexer over them, as serve would.
func fillArchive(ctx context.Context, dbURL string, r *archiveResult, g *corpus, log io.Writer) error {
	st, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	l := &store.List{Address: archiveList, Name: "Archive bench", Policy: store.PolicyOpen}
	if err := st.CreateList(ctx, l); err != nil {
		return err
	}
	start := time.Now()
	for done := 0; done < r.Posts; {
		n := min(archiveBatch, r.Posts-done)
		items := make([]*store.Intake, n)
		for i := range items {
			items[i] = &store.Intake{Message: g.post(l.ID, done+i)}
		}
		if err := st.SaveIntake(ctx, items); err != nil {
			return err
		}
		done += n
		if done%20000 == 0 {
			fmt.Fprintf(log, "listserv-bench: stored %d posts\n", done)
		}
	}
	r.FillSeconds = time.Since(start).Seconds()
	start = time.Now()
	x := archive.NewIndexer(st, nil)
	x.Batch = 500
	n, err := x.CatchUp(ctx)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	r.IndexPostsPerSec = float64(n) / time.Since(start).Seconds()
	if st.Dialect() == "postgres" {
		// Autovacuum analyses a table that grew this much soon after; the
		// search's plan depends on the word statistics it gathers.
		if err := analyzePG(ctx, dbURL); err != nil {
			return err
		}
	}
	// Thread ids are dense from 1 in a fresh database: the largest is
	// the count, and the measurement picks ids at random below it.
	for key := (store.ArchiveKey{}); ; {
		ts, err := st.ListArchiveThreads(ctx, l.ID, key, 1000)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			break
		}
		for _, t := range ts {
			r.Threads = max(r.Threads, t.ID)
		}
		key = ts[len(ts)-1].Key()
	}
	if r.Threads == 0 {
		return fmt.Errorf("no threads after indexing")
	}
	fmt.Fprintf(log, "listserv-bench: stored %d posts in %.1f s, indexed %.0f posts/s, %d threads\n",
		r.Posts, r.FillSeconds, r.IndexPostsPerSec, r.Threads)
	return nil
}

func analyzePG(ctx context.Context, dbURL string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "ANALYZE")
	return err
}

// measureArchive times thread pages and searches (warm: one pass first).
func measureArchive(ctx context.Context, base string, r *archiveResult, g *corpus) error {
	client := &http.Client{Timeout: 30 * time.Second}
	rnd := rand.New(rand.NewPCG(7, 7))
	get := func(path string) (float64, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ms := float64(time.Since(t0).Microseconds()) / 1000
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		return ms, err
	}
	series := func(path func() string) ([]float64, error) {
		var out []float64
		for i := 0; i < archiveRequests; i++ {
			ms, err := get(path())
			if err != nil {
				return nil, err
			}
			out = append(out, ms)
		}
		return out, nil
	}
	thread := func() string { return fmt.Sprintf("/lists/%s/t/%d", archiveListID, 1+rnd.Int64N(r.Threads)) }
	// Searches: one to three words across the vocabulary's ranks (rare,
	// medium and frequent words alike); "common" is one of the 50 most
	// frequent words, which match a large share of the archive.
	search := func() string {
		var ws []string
		for range 1 + rnd.IntN(3) {
			ws = append(ws, g.words[rnd.IntN(archiveVocab/4)])
		}
		return "/lists/" + archiveListID + "/archive/search?q=" + url.QueryEscape(strings.Join(ws, " "))
	}
	common := func() string {
		return "/lists/" + archiveListID + "/archive/search?q=" + g.words[rnd.IntN(50)]
	}
	for _, f := range []func() string{thread, search, common} { // warm up
		for range 50 {
			if _, err := get(f()); err != nil {
				return err
			}
		}
	}
	for _, m := range []struct {
		path     func() string
		p50, p99 *float64
	}{{thread, &r.ThreadP50, &r.ThreadP99}, {search, &r.SearchP50, &r.SearchP99}, {common, &r.CommonP50, &r.CommonP99}} {
		xs, err := series(m.path)
		if err != nil {
			return err
		}
		*m.p50, *m.p99 = percentile(xs, 50), percentile(xs, 99)
	}
	return nil
}

// loadAverage is /proc/loadavg's first three fields: the figures depend
// on what else the machine was doing.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func percentile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

func printArchive(w io.Writer, rs []archiveResult) {
	fmt.Fprintf(w, "\nArchive: %d requests each, one at a time, over HTTP to listserv serve (ms); load average %s\n", archiveRequests, loadAverage())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tposts\tthreads\tstore s\tindex posts/s\tthread p50\tthread p99\tsearch p50\tsearch p99\tcommon-word p50\tcommon-word p99\t")
	for _, r := range rs {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%d\tFAILED: %s\t\n", r.Store, r.Posts, r.Error)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", r.Store, r.Posts, r.Threads,
			r.FillSeconds, r.IndexPostsPerSec, r.ThreadP50, r.ThreadP99, r.SearchP50, r.SearchP99, r.CommonP50, r.CommonP99)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nArchive mbox export of the whole list (streamed), with the server's RSS before and at its peak during it")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tposts\tMB\tseconds\tRSS before MB\tRSS peak MB\t")
	for _, r := range rs {
		if r.Error == "" {
			fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", r.Store, r.Posts, r.MboxMB, r.MboxSeconds, r.RSSBeforeMB, r.RSSPeakMB)
		}
	}
	tw.Flush()
}

// corpus makes reproducible posts: words from a Zipf distribution over a
// made-up vocabulary, a quarter of posts starting threads, the rest
// replying to one of the last 2,000 posts.
type corpus struct {
	rnd   *rand.Rand
	zipf  *rand.Zipf
	words []string
	subj  []string // subject of each post's thread root
}

func newCorpus(seed uint64) *corpus {
	rnd := rand.New(rand.NewPCG(seed, seed))
	g := &corpus{rnd: rnd, zipf: rand.NewZipf(rnd, 1.1, 2, archiveVocab-1)}
	syl := []string{"ka", "lo", "mi", "ner", "tas", "vu", "bri", "den", "fo", "gal", "hu", "jor", "pel", "qua", "ris", "sen", "tor", "wex", "yan", "zo"}
	seen := map[string]bool{}
	for len(g.words) < archiveVocab {
		var b strings.Builder
		for range 2 + rnd.IntN(3) {
			b.WriteString(syl[rnd.IntN(len(syl))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			g.words = append(g.words, w)
		}
	}
	return g
}

func (g *corpus) text(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.words[g.zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}

func (g *corpus) post(listID int64, i int) *store.Message {
	id := fmt.Sprintf("p%d@bench.example.org", i)
	subject, extra := g.text(3+g.rnd.IntN(4)), ""
	var inReplyTo string
	if i > 0 && g.rnd.IntN(4) != 0 {
		parent := max(0, i-1-g.rnd.IntN(min(i, 2000)))
		inReplyTo = fmt.Sprintf("p%d@bench.example.org", parent)
		subject = "Re: " + g.subj[parent]
		extra = "In-Reply-To: <" + inReplyTo + ">\r\nReferences: <" + inReplyTo + ">\r\n"
	}
	root := strings.TrimPrefix(subject, "Re: ")
	g.subj = append(g.subj, root)
	from := fmt.Sprintf("member%d@example.net", g.rnd.IntN(500))
	var body strings.Builder
	for range 4 + g.rnd.IntN(6) {
		body.WriteString(g.text(15+g.rnd.IntN(15)) + ".\r\n")
	}
	raw := "From: Member <" + from + ">\r\nTo: " + archiveList + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + ">\r\n" + extra +
		"Date: Wed, 25 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body.String()
	return &store.Message{ListID: listID, EnvelopeFrom: from, FromAddr: from, FromName: "Member", Subject: subject,
		MessageID: id, InReplyTo: inReplyTo, References: inReplyTo, SentAt: time.Now(), Raw: []byte(raw), State: store.StateAccepted}
}
