package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// nodesResult is what the three-node scenario found.
type nodesResult struct {
	members    int
	killed     string
	killAt     int64            // copies the sink held at the kill
	sentDB     map[string]int64 // node -> SUM(sent) of the chunks it owns at the end
	readAfter  time.Duration    // kill to the end of reading the store
	inflight   int
	duplicates int
}

func (r nodesResult) String() string {
	var db []string
	for _, n := range sortedKeys(r.sentDB) {
		db = append(db, fmt.Sprintf("%s=%d", n, r.sentDB[n]))
	}
	return fmt.Sprintf("nodes: members=%d killed=%s kill_at=%d sent[%s] copies=%d duplicates=%d inflight=%d",
		r.members, r.killed, r.killAt, strings.Join(db, " "), r.members, r.duplicates, r.inflight)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// runNodes runs three serve processes on one PostgreSQL database, posts
// once to a large list, SIGKILLs one node when the sink holds ~1,500
// copies, and checks the survivors finish its chunks once their lease
// expires: every member gets the post, duplicates <= copies in flight.
func (e *env) runNodes(ctx context.Context, members int) (res nodesResult, err error) {
	res.members = members
	st, err := e.newStore(ctx, "postgres", "nodes")
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
	var nodes []*node
	defer func() {
		for _, n := range nodes {
			if !n.exited() {
				n.kill()
			}
		}
	}()
	for i := 1; i <= 3; i++ {
		n, err := e.startNode(ctx, nodeOpts{name: fmt.Sprintf("node%d", i), db: st.url, dir: st.dir, relay: sk.URL()}, 1)
		if err != nil {
			return res, err
		}
		nodes = append(nodes, n)
	}
	prefix := fmt.Sprintf("s%d-nodes-", e.seed)
	in := startIntake(nodes[0].smtp, newPosts(prefix+"r01", 1), 1)
	in.wait()
	ids := in.ackedIDs()
	if len(ids) != 1 {
		return res, fmt.Errorf("the post was not acknowledged\n%s", tail(nodes[0].logPath, 20))
	}
	target := int64(min(1500, members*3/10))
	for end := time.Now().Add(60 * time.Second); sk.Total() < target && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	victim := nodes[e.rng.IntN(len(nodes))]
	victim.kill()
	killed := time.Now()
	res.killed, res.killAt = victim.name, sk.Total()
	// The kernel closes the victim's connections at its death; give the
	// sink a moment to finish any DATA it had fully received. (The other
	// nodes keep connections open, so waiting for none open is no use.)
	time.Sleep(250 * time.Millisecond)
	atKill := sk.snapshot()
	prog, err := readProgress(ctx, st)
	if err != nil {
		return res, err
	}
	res.readAfter = time.Since(killed)
	tag := victim.ownerTag()
	res.inflight = prog.inFlight(atKill, func(owner string) bool { return strings.Contains(owner, tag) }, map[string]int{})
	if res.readAfter > time.Second {
		e.printf("  warning: the store was read %s after the kill; a takeover may already have hidden copies in flight", res.readAfter)
	}
	var live []*node
	for _, n := range nodes {
		if n != victim {
			live = append(live, n)
		}
	}
	if err := waitDelivered(sk, ids, addrs, 60*time.Second, nodesAlive(live...)); err != nil {
		return res, err
	}
	for _, n := range live {
		if _, err := n.term(30 * time.Second); err != nil {
			return res, err
		}
	}
	byOwner, err := sentByOwner(ctx, st)
	if err != nil {
		return res, err
	}
	res.sentDB = map[string]int64{}
	for owner, sent := range byOwner {
		res.sentDB[nodeOf(nodes, owner)] += sent
	}
	final := sk.snapshot()
	res.duplicates = final.duplicates(prefix)
	if res.duplicates > res.inflight {
		return res, fmt.Errorf("%d duplicates but only %d copies were in flight at the kill; e.g.\n    %s\n%s",
			res.duplicates, res.inflight, strings.Join(final.dupDetail(prefix, 10), "\n    "), problems(st.dir))
	}
	return res, nil
}

// nodeOf names the node a lease owner string belongs to (by its pid).
func nodeOf(nodes []*node, owner string) string {
	for _, n := range nodes {
		if strings.Contains(owner, n.ownerTag()) {
			return n.name
		}
	}
	return owner
}
