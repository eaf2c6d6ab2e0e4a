package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// digestOpts configures the digest scenario.
type digestOpts struct {
	store   string // sqlite (one node) or postgres (three nodes)
	rounds  int
	members int // digest members; a tenth as many more read each post
	posts   int // per round
}

// digestResult is what the digest scenario found.
type digestResult struct {
	digestOpts
	nodes      int
	acked      int
	digests    int // distinct digests (digest x member) received
	copies     int // digest copies received
	duplicates int
	inflight   int
	kills      []string
}

func (r digestResult) String() string {
	return fmt.Sprintf("digest: store=%s nodes=%d rounds=%d posts=%d members=%d digests=%d copies=%d duplicates=%d inflight=%d kills=%s",
		r.store, r.nodes, r.rounds, r.acked, r.members, r.digests, r.copies, r.duplicates, r.inflight, strings.Join(r.kills, ","))
}

// digestRun is the state of the digest scenario.
type digestRun struct {
	e       *env
	o       digestOpts
	st      *storeRef
	sk      *sink
	each    []string
	digest  []string
	nodes   []*node
	inc     map[string]int
	seen    map[string]int
	prefix  string
	acked   []string
	inflite int
}

// runDigest puts members in daily-digest mode beside a few in "each"
// mode, and runs rounds of: posts (to a random node), `digest send --now`
// while a SIGKILL hits the command, a node sending the digests, or both;
// the killed node restarts, the command runs again. At the end every
// digest member must hold every post in exactly one digest, each digest
// once (duplicates only as copies in flight at the kills), and the "each"
// members every post and no digest.
func (e *env) runDigest(ctx context.Context, o digestOpts) (res digestResult, err error) {
	res.digestOpts = o
	st, err := e.newStore(ctx, o.store, "digest")
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, st.drop()) }()
	all := memberAddrs(o.members + max(1, o.members/10))
	dr := &digestRun{e: e, o: o, st: st, each: all[o.members:], digest: all[:o.members],
		inc: map[string]int{}, seen: map[string]int{}, prefix: fmt.Sprintf("s%d-dg-", e.seed)}
	if err := e.setupListModes(ctx, st, all, func(i int) string {
		if i < o.members {
			return "digest"
		}
		return "each"
	}); err != nil {
		return res, err
	}
	if dr.sk, err = newSink(e.rng.Uint64()); err != nil {
		return res, err
	}
	defer dr.sk.Close()
	defer dr.stopAll()
	n := 1
	if o.store == "postgres" {
		n = 3
	}
	res.nodes = n
	for i := 1; i <= n; i++ {
		if err := dr.startNode(ctx, fmt.Sprintf("node%d", i), len(dr.nodes)); err != nil {
			return res, err
		}
	}
	sumUp := func() {
		v := dr.sk.digestsOf()
		res.acked, res.digests, res.copies, res.duplicates, res.inflight = len(dr.acked), v.digests, v.copies, v.duplicates, dr.inflite
	}
	for r := 1; r <= o.rounds; r++ {
		kill, err := dr.round(ctx, r)
		res.kills = append(res.kills, kill)
		sumUp()
		flag := ""
		if res.duplicates > res.inflight {
			flag = fmt.Sprintf("  <- %d duplicates so far > %d in flight so far", res.duplicates, res.inflight)
		}
		e.printf("  round %2d/%d store=%s kill=%s acked=%d digests=%d copies=%d inflight=%d duplicates=%d%s",
			r, o.rounds, o.store, kill, len(dr.acked), res.digests, res.copies, res.inflight, res.duplicates, flag)
		if err != nil {
			return res, fmt.Errorf("digest round %d: %w", r, err)
		}
	}
	for _, nd := range dr.nodes {
		if _, err := nd.term(30 * time.Second); err != nil {
			return res, err
		}
	}
	sumUp()
	return res, dr.check(res)
}

// check is the closing tally.
func (dr *digestRun) check(res digestResult) error {
	v := dr.sk.digestsOf()
	if n, sample := v.missing(dr.acked, dr.digest, 10); n > 0 {
		return fmt.Errorf("%d member x post pairs in no digest; e.g.\n    %s", n, strings.Join(sample, "\n    "))
	}
	if n, sample := v.twice(10); n > 0 {
		return fmt.Errorf("%d member x post pairs in two different digests; e.g.\n    %s", n, strings.Join(sample, "\n    "))
	}
	if res.duplicates > res.inflight {
		return fmt.Errorf("%d duplicate digests but only %d copies were in flight at the kills\n%s",
			res.duplicates, res.inflight, problems(dr.st.dir))
	}
	t := dr.sk.snapshot()
	if n, sample := t.missing(dr.acked, dr.each, 10); n > 0 {
		return fmt.Errorf("%d posts missing for each-mode members; e.g.\n    %s", n, strings.Join(sample, "\n    "))
	}
	for _, p := range dr.acked {
		for _, m := range dr.digest {
			if t[p][m] > 0 {
				return fmt.Errorf("digest member %s got post %s on its own", m, p)
			}
		}
	}
	for _, m := range dr.each {
		if len(v.had[m]) > 0 {
			return fmt.Errorf("each-mode member %s got a digest", m)
		}
	}
	return nil
}

func (dr *digestRun) startNode(ctx context.Context, name string, slot int) error {
	dr.inc[name]++
	nd, err := dr.e.startNode(ctx, nodeOpts{name: name, db: dr.st.url, dir: dr.st.dir, relay: dr.sk.URL()}, dr.inc[name])
	if err != nil {
		return err
	}
	if slot == len(dr.nodes) {
		dr.nodes = append(dr.nodes, nd)
	} else {
		dr.nodes[slot] = nd
	}
	return nil
}

func (dr *digestRun) stopAll() {
	for _, nd := range dr.nodes {
		if !nd.exited() {
			nd.kill()
		}
	}
}

// round posts, waits for the fan-out to the "each" members (so the posts
// are archived), then sends the digests with a kill at a random moment.
func (dr *digestRun) round(ctx context.Context, r int) (string, error) {
	e, sk := dr.e, dr.sk
	entry := dr.nodes[e.rng.IntN(len(dr.nodes))]
	in := startIntake(entry.smtp, newPosts(fmt.Sprintf("%sr%02d", dr.prefix, r), dr.o.posts), 2)
	in.wait()
	acked := in.ackedIDs()
	if len(acked) != dr.o.posts {
		return "", fmt.Errorf("%d of %d posts acknowledged\n%s", len(acked), dr.o.posts, tail(entry.logPath, 20))
	}
	dr.acked = append(dr.acked, acked...)
	if err := waitDelivered(sk, dr.acked, dr.each, 60*time.Second, nodesAlive(dr.nodes...)); err != nil {
		return "", err
	}
	base := sk.digestsOf().copies
	cli, err := dr.startSend(ctx, r, 1)
	if err != nil {
		return "", err
	}
	kill := []string{"cli", "node", "both"}[e.rng.IntN(3)]
	desc, err := dr.killAt(ctx, kill, cli, base)
	if err != nil {
		return desc, err
	}
	// As an operator would after a failed run: once the dead command's
	// claims have expired, send again; what went out is not sent twice.
	time.Sleep(2500 * time.Millisecond)
	again, err := dr.startSend(ctx, r, 2)
	if err != nil {
		return desc, err
	}
	if err := again.Wait(); err != nil {
		return desc, fmt.Errorf("digest send --now (again): %v\n%s", err, tail(dr.sendLog(r, 2), 10))
	}
	return desc, dr.waitDigests(60 * time.Second)
}

// killAt kills the command, a node, or both at a random moment of the
// send, counts the copies in flight, and restarts a killed node.
func (dr *digestRun) killAt(ctx context.Context, kill string, cli *exec.Cmd, base int) (string, error) {
	e, sk := dr.e, dr.sk
	desc := kill
	if kill != "node" {
		ms := e.rng.IntN(400)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		_ = cli.Process.Kill()
		desc += fmt.Sprintf("@%dms", ms)
	}
	_ = cli.Wait() // killed, or done
	if kill == "cli" {
		return desc, nil
	}
	target := base + 1 + e.rng.IntN(max(1, len(dr.digest)*3/4))
	limit := 30 * time.Second
	if kill == "both" {
		limit = 3 * time.Second // the dead command may have queued fewer
	}
	for end := time.Now().Add(limit); sk.digestsOf().copies < target && time.Now().Before(end); {
		time.Sleep(2 * time.Millisecond)
	}
	slot := e.rng.IntN(len(dr.nodes))
	victim := dr.nodes[slot]
	victim.kill()
	desc += fmt.Sprintf("+%s@%d", victim.name, sk.digestsOf().copies-base)
	time.Sleep(250 * time.Millisecond) // the sink finishes DATA it fully received
	q, err := readMailq(ctx, dr.st)
	if err != nil {
		return desc, err
	}
	tag := victim.ownerTag()
	dr.inflite += mailInFlight(q, sk.snapshot(), func(o string) bool { return strings.Contains(o, tag) }, dr.seen)
	return desc, dr.startNode(ctx, victim.name, slot)
}

// startSend starts `listserv digest send --now` with a short lease.
func (dr *digestRun) startSend(ctx context.Context, r, try int) (*exec.Cmd, error) {
	logf, err := os.Create(dr.sendLog(r, try))
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, dr.e.bin, "digest", "send", listAddr, "--now", "--lease", "2s",
		"--db", dr.st.url, "--data", dr.e.work)
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	err = cmd.Start()
	logf.Close() // the child has its own descriptor
	return cmd, err
}

func (dr *digestRun) sendLog(r, try int) string {
	return fmt.Sprintf("%s/digest-send-r%02d-%d.log", dr.st.dir, r, try)
}

// waitDigests waits until every digest member holds every acked post.
func (dr *digestRun) waitDigests(limit time.Duration) error {
	end := time.Now().Add(limit)
	for {
		v := dr.sk.digestsOf()
		n, sample := v.missing(dr.acked, dr.digest, 10)
		if n == 0 {
			return nil
		}
		if err := nodesAlive(dr.nodes...)(); err != nil {
			return err
		}
		if time.Now().After(end) {
			return fmt.Errorf("after %s, %d member x post pairs in no digest; e.g.\n    %s\n%s",
				limit, n, strings.Join(sample, "\n    "), problems(dr.st.dir))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
