package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// sigtermResult is what the graceful-shutdown scenario found.
type sigtermResult struct {
	store      string
	members    int
	at         int64         // copies the sink held when SIGTERM was sent
	stop       time.Duration // SIGTERM to exit
	inflight   int
	duplicates int
}

func (r sigtermResult) String() string {
	return fmt.Sprintf("sigterm: store=%s members=%d term_at=%d stop=%s copies=%d duplicates=%d inflight=%d",
		r.store, r.members, r.at, r.stop.Round(time.Millisecond), r.members, r.duplicates, r.inflight)
}

// runSigterm sends SIGTERM in the middle of a fan-out: serve must exit 0
// within 30 s having finished or checkpointed what it was sending, so after
// a restart every member has the post exactly once.
func (e *env) runSigterm(ctx context.Context, kind string, members int) (res sigtermResult, err error) {
	res.store, res.members = kind, members
	st, err := e.newStore(ctx, kind, "sigterm")
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, st.drop()) }()
	addrs := memberAddrs(members)
	if err := e.setupList(ctx, st, addrs); err != nil {
		return res, err
	}
	sk, err := newSink(e.rng.Uint64())
	if err != nil {
		return res, err
	}
	defer sk.Close()
	nopts := nodeOpts{name: "node1", db: st.url, dir: st.dir, relay: sk.URL()}
	n, err := e.startNode(ctx, nopts, 1)
	if err != nil {
		return res, err
	}
	prefix := fmt.Sprintf("s%d-%s-sigterm-", e.seed, kind)
	in := startIntake(n.smtp, newPosts(prefix+"r01", 1), 1)
	in.wait()
	ids := in.ackedIDs()
	if len(ids) != 1 {
		n.kill()
		return res, fmt.Errorf("the post was not acknowledged\n%s", tail(n.logPath, 20))
	}
	target := int64(members/10 + e.rng.IntN(members/2))
	for end := time.Now().Add(30 * time.Second); sk.Total() < target && !n.exited() && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	res.at = sk.Total()
	if res.stop, err = n.term(30 * time.Second); err != nil {
		return res, err
	}
	sk.quiesce(5 * time.Second)
	prog, err := readProgress(ctx, st)
	if err != nil {
		return res, err
	}
	res.inflight = prog.inFlight(sk.snapshot(), anyOwner, map[string]int{})
	n2, err := e.startNode(ctx, nopts, 2)
	if err != nil {
		return res, err
	}
	if err := waitDelivered(sk, ids, addrs, 60*time.Second, nodesAlive(n2)); err != nil {
		n2.kill()
		return res, err
	}
	if _, err := n2.term(30 * time.Second); err != nil {
		return res, err
	}
	final := sk.snapshot()
	res.duplicates = final.duplicates(prefix)
	if res.duplicates > 0 || res.inflight > 0 {
		return res, fmt.Errorf("a graceful stop left %d copies in flight and caused %d duplicates; e.g.\n    %s\n%s",
			res.inflight, res.duplicates, strings.Join(final.dupDetail(prefix, 10), "\n    "), problems(st.dir))
	}
	return res, nil
}
