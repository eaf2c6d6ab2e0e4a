package delivery

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/demnet-uk/listserv/listserv/metrics"
	"github.com/demnet-uk/listserv/listserv/token"
)

// Config tunes the engine.
type Config struct {
	Node        string        // this process's name in leases
	Workers     int           // connections to the relay at most
	ChunkSize   int           // members per leased chunk
	Lease       time.Duration // a dead node's chunk is taken over after this
	Poll        time.Duration // how often to look for work without a wake-up
	RetryBase   time.Duration // first retry delay; doubles per attempt
	RetryMax    time.Duration // longest delay between retries
	GiveUpAfter time.Duration // a temporary failure older than this becomes permanent
	Drain       time.Duration // how long shutdown waits for copies in flight
	BaseURL     string
	// Domains bounds connections and rate per recipient domain (zero:
	// DefaultDomainLimits). Not applied when capturing.
	Domains DomainLimits
	// DomainPause is how long a domain that answered 421/450/451/452 is
	// left alone; it doubles per consecutive deferral up to DomainPauseMax.
	DomainPause, DomainPauseMax time.Duration
	// DomainWait is the longest a copy waits for its domain's connection
	// slot or rate token before it is deferred to a retry.
	DomainWait time.Duration
}

// DefaultConfig is what serve uses.
func DefaultConfig() Config {
	return Config{Workers: 8, ChunkSize: 200, Lease: 30 * time.Second, Poll: time.Second,
		RetryBase: time.Minute, RetryMax: 4 * time.Hour, GiveUpAfter: 5 * 24 * time.Hour, Drain: 20 * time.Second,
		Domains: DefaultDomainLimits(), DomainPause: time.Minute, DomainPauseMax: 30 * time.Minute, DomainWait: 2 * time.Second}
}

// Engine sends everything queued.
type Engine struct {
	st     Store
	tr     Transport
	cfg    Config
	log    *slog.Logger
	tokens *token.Maker
	wake   *wakeup       // new work: every idle worker looks once
	poll   chan struct{} // one idle worker looks per Poll interval
	// brisk is when brisk polling ends (unix ns); briskNow tells the poll
	// loop it started.
	brisk    atomic.Int64
	briskNow chan struct{}
	cache    *prepCache
	bodies   *bodyCache
	limit    *limiter
	gates    *gates // per recipient domain; nil when capturing
	// PostSigner signs every copy and queued mail (DKIM); nil: unsigned.
	PostSigner PostSigner
	// Metrics counts copies delivered, deferred and failed; nil counts
	// nothing.
	Metrics *metrics.Metrics

	sent, failed, taken atomic.Int64
}

// New makes an engine; tokens signs VERP and unsubscribe tokens.
func New(st Store, tr Transport, tokens *token.Maker, cfg Config, log *slog.Logger) *Engine {
	d := DefaultConfig()
	orDefault(&cfg.Workers, d.Workers)
	orDefault(&cfg.ChunkSize, d.ChunkSize)
	orDefault(&cfg.Lease, d.Lease)
	orDefault(&cfg.Poll, d.Poll)
	orDefault(&cfg.RetryBase, d.RetryBase)
	orDefault(&cfg.RetryMax, d.RetryMax)
	orDefault(&cfg.GiveUpAfter, d.GiveUpAfter)
	orDefault(&cfg.Drain, d.Drain)
	orDefault(&cfg.DomainPause, d.DomainPause)
	orDefault(&cfg.DomainPauseMax, d.DomainPauseMax)
	orDefault(&cfg.DomainWait, d.DomainWait)
	if cfg.Domains.Domains == nil && cfg.Domains.Default == (Limit{}) {
		cfg.Domains = d.Domains
	}
	e := &Engine{st: st, tr: tr, cfg: cfg, log: log, tokens: tokens, wake: newWakeup(), poll: make(chan struct{}, 1),
		briskNow: make(chan struct{}, 1),
		cache:    newPrepCache(st, cfg.BaseURL), bodies: newBodyCache(st), limit: newLimiter(cfg.Workers)}
	if _, capture := tr.(*Capture); !capture {
		e.gates = newGates(cfg.Domains, cfg.DomainPause, cfg.DomainPauseMax, cfg.DomainWait)
	}
	return e
}

// Wake tells every idle worker to look for work once (cheap, never
// blocks); a worker finding nothing sleeps until the next Wake or poll.
func (e *Engine) Wake() { e.wake.Fire() }

// Stats are counters since start.
type Stats struct{ Sent, Failed, TakenOver int64 }

// Stats returns the counters.
func (e *Engine) Stats() Stats {
	return Stats{Sent: e.sent.Load(), Failed: e.failed.Load(), TakenOver: e.taken.Load()}
}

// Run works the queue until ctx ends, then lets copies in flight finish
// for up to cfg.Drain before returning.
func (e *Engine) Run(ctx context.Context) {
	send, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		<-ctx.Done()
		time.AfterFunc(e.cfg.Drain, cancel)
	}()
	go e.pollLoop(ctx)
	var wg sync.WaitGroup
	for i := range e.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{e: e, id: i, owner: e.cfg.Node + "/w" + strconv.Itoa(i), held: map[*gate]int{}}
			w.run(ctx, send)
		}()
	}
	wg.Wait()
}

func (e *Engine) backoff(attempts int) time.Duration {
	d := e.cfg.RetryBase
	for i := 1; i < attempts && d < e.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, e.cfg.RetryMax)
}

// orDefault sets an unset (zero or negative) setting to its default.
func orDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
