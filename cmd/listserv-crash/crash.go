package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// crashOpts configures one run of crash rounds.
type crashOpts struct {
	store   string // sqlite or postgres
	faults  string // none, refuse or drop
	rounds  int
	members int
	posts   int // per round
	clients int // concurrent SMTP clients posting
}

// crashResult is what a run of crash rounds found.
type crashResult struct {
	crashOpts
	acked      int   // posts that got 250
	copies     int   // copies checked: acked posts x members
	duplicates int   // copies beyond the first per post x member
	inflight   int   // copies in flight at the kills, summed
	refused    int64 // RCPTs the sink refused (faults=refuse)
	dropped    int64 // connections the sink dropped after DATA (faults=drop)
}

func (r crashResult) String() string {
	return fmt.Sprintf("crash: store=%s faults=%s rounds=%d posts=%d copies=%d duplicates=%d inflight=%d refused=%d dropped=%d",
		r.store, r.faults, r.rounds, r.acked, r.copies, r.duplicates, r.inflight, r.refused, r.dropped)
}

// runCrash runs crash rounds: serve, post, SIGKILL at a random moment,
// measure copies in flight, restart, wait for every acknowledged post to
// reach every member, SIGTERM (must exit 0). Then it checks that nothing
// acknowledged was lost and that duplicates <= copies in flight.
func (e *env) runCrash(ctx context.Context, o crashOpts) (res crashResult, err error) {
	res.crashOpts = o
	if o.clients == 0 {
		o.clients = 3
	}
	st, err := e.newStore(ctx, o.store, "crash-"+o.faults)
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, st.drop()) }()
	members := memberAddrs(o.members)
	if err := e.setupList(ctx, st, members); err != nil {
		return res, err
	}
	sk, err := newSink(e.rng.Uint64())
	if err != nil {
		return res, err
	}
	defer sk.Close()
	sk.setFaults(o.faults)
	cr := &crashRun{e: e, o: o, st: st, sk: sk, members: members,
		prefix: fmt.Sprintf("s%d-%s-%s-", e.seed, o.store, o.faults),
		nopts:  nodeOpts{name: "node1", db: st.url, dir: st.dir, relay: sk.URL()}, seen: map[string]int{}}
	prefix := cr.prefix
	var acked []string
	var final tally
	sumUp := func() {
		final = sk.snapshot()
		res.acked, res.copies = len(acked), len(acked)*len(members)
		res.refused, res.dropped = sk.refusals.Load(), sk.Dropped()
		res.duplicates = final.duplicates(prefix)
	}
	dupsSoFar := 0
	for r := 1; r <= o.rounds; r++ {
		rr, err := cr.round(ctx, r, acked)
		acked = append(acked, rr.acked...)
		res.inflight += rr.inflight
		// A kill's copies in flight may come back as duplicates in a later
		// round (its chunk is taken over only when its lease expires), so
		// the invariant holds for the sums so far, not per round.
		dupsSoFar += rr.dups
		flag := ""
		if dupsSoFar > res.inflight {
			flag = fmt.Sprintf("  <- %d duplicates so far > %d in flight so far", dupsSoFar, res.inflight)
		}
		e.printf("  round %2d/%d store=%s faults=%s kill=%s acked=%d/%d recorded=%d inflight=%d duplicates=%d stop=%s%s",
			r, o.rounds, o.store, o.faults, rr.moment, len(rr.acked), o.posts, rr.recorded, rr.inflight, rr.dups, rr.stop.Round(time.Millisecond), flag)
		if err != nil {
			sumUp()
			return res, fmt.Errorf("%s faults=%s round %d: %w", o.store, o.faults, r, err)
		}
	}
	sumUp()
	if n, sample := final.missing(acked, members, 20); n > 0 {
		return res, fmt.Errorf("%d acknowledged copies missing:\n    %s", n, strings.Join(sample, "\n    "))
	}
	if res.duplicates > res.inflight {
		return res, fmt.Errorf("%d duplicates but only %d copies were in flight at the kills; e.g.\n    %s\n%s",
			res.duplicates, res.inflight, strings.Join(final.dupDetail(prefix, 10), "\n    "), problems(st.dir))
	}
	return res, nil
}

// roundResult is one round's outcome.
type roundResult struct {
	acked    []string
	moment   string
	recorded int // copies of this round's posts the store recorded as sent at the kill
	inflight int
	dups     int
	stop     time.Duration
}

// crashRun is the state of one run of crash rounds.
type crashRun struct {
	e       *env
	o       crashOpts
	st      *storeRef
	sk      *sink
	members []string
	prefix  string // of every Message-ID in this run
	nopts   nodeOpts
	inc     int            // serve processes started, for log names
	seen    map[string]int // post x member counted in flight, and its count then
}

func (cr *crashRun) start(ctx context.Context) (*node, error) {
	cr.inc++
	return cr.e.startNode(ctx, cr.nopts, cr.inc)
}

// round is one crash round; earlier are the posts acknowledged before.
func (cr *crashRun) round(ctx context.Context, r int, earlier []string) (rr roundResult, err error) {
	e, o, sk, members := cr.e, cr.o, cr.sk, cr.members
	n, err := cr.start(ctx)
	if err != nil {
		return rr, err
	}
	dupsBefore := sk.snapshot().duplicates(cr.prefix)
	tag := fmt.Sprintf("%sr%02d", cr.prefix, r)
	posts := newPosts(tag, o.posts)
	plan := e.planKill(o.posts)
	base := sk.Total()
	in := startIntake(n.smtp, posts, o.clients)
	rr.moment = plan.wait(in, sk, base, members, o.posts)
	if n.exited() {
		in.wait()
		return rr, fmt.Errorf("serve exited on its own before the kill: %v\n%s", n.waitErr, tail(n.logPath, 20))
	}
	n.kill()
	if !sk.quiesce(5 * time.Second) {
		return rr, errors.New("sink connections still open 5 s after the kill")
	}
	in.wait()
	rr.acked = in.ackedIDs()
	atKill := sk.snapshot()
	prog, err := readProgress(ctx, cr.st)
	if err != nil {
		return rr, fmt.Errorf("read store after kill: %w", err)
	}
	rr.inflight = prog.inFlight(atKill, anyOwner, cr.seen)
	for id, c := range prog.covered() {
		if strings.HasPrefix(id, tag) {
			rr.recorded += c
		}
	}
	n2, err := cr.start(ctx)
	if err != nil {
		return rr, err
	}
	want := append(append([]string(nil), earlier...), rr.acked...)
	if err := waitDelivered(sk, want, members, 60*time.Second, nodesAlive(n2)); err != nil {
		n2.kill()
		return rr, fmt.Errorf("%w\n%s", err, tail(n2.logPath, 20))
	}
	rr.stop, err = n2.term(30 * time.Second)
	rr.dups = sk.snapshot().duplicates(cr.prefix) - dupsBefore
	return rr, err
}

// problems returns a note with the servers' ERROR log lines, if any.
func problems(dir string) string {
	lines := logProblems(dir, 10)
	if len(lines) == 0 {
		return "  (no ERROR lines in the server logs under " + dir + ")"
	}
	return "  server ERROR lines:\n    " + strings.Join(lines, "\n    ")
}
