package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// plan is which scenarios run, on which stores, how big.
type plan struct {
	scenarios      []string // crash, sigterm, nodes, digest
	stores         []string // sqlite, postgres
	faults         []string // none, refuse, drop
	rounds         int
	members        int
	posts          int
	sigtermMembers int
	nodeMembers    int
	digestRounds   int
	digestMembers  int
}

func defaultPlan() plan {
	return plan{rounds: 20, members: 300, posts: 12, sigtermMembers: 2000, nodeMembers: 5000, digestRounds: 6, digestMembers: 300}
}

// summary adds up every scenario's counts.
type summary struct {
	rounds, acked, copies, duplicates, inflight int
	lines                                       []string
}

func (s *summary) String(took time.Duration) string {
	return fmt.Sprintf("summary: rounds=%d posts=%d copies=%d duplicates=%d inflight=%d time=%s",
		s.rounds, s.acked, s.copies, s.duplicates, s.inflight, took.Round(time.Second))
}

func (s *summary) addCrash(r crashResult) {
	s.rounds += r.rounds
	s.acked += r.acked
	s.copies += r.copies
	s.duplicates += r.duplicates
	s.inflight += r.inflight
}

// runPlan runs the scenarios in order, printing each result line. A
// failed scenario is reported and the next one still runs; the failures
// are returned together.
func (e *env) runPlan(ctx context.Context, p plan) (*summary, error) {
	sum := &summary{}
	var errs []error
	report := func(line string, err error) {
		if err != nil {
			line += " FAILED"
			errs = append(errs, fmt.Errorf("%s: %w", line, err))
			e.printf("%s\n  %v", line, err)
		} else {
			e.printf("%s", line)
		}
		sum.lines = append(sum.lines, line)
	}
	if slices.Contains(p.scenarios, "crash") {
		for _, st := range p.stores {
			for _, f := range p.faults {
				r, err := e.runCrash(ctx, crashOpts{store: st, faults: f, rounds: p.rounds, members: p.members, posts: p.posts})
				report(r.String(), err)
				sum.addCrash(r)
				if ctx.Err() != nil {
					return sum, ctx.Err()
				}
			}
		}
	}
	if slices.Contains(p.scenarios, "sigterm") {
		for _, st := range p.stores {
			r, err := e.runSigterm(ctx, st, p.sigtermMembers)
			report(r.String(), err)
			sum.copies += r.members
			sum.duplicates += r.duplicates
			sum.inflight += r.inflight
		}
	}
	if slices.Contains(p.scenarios, "nodes") {
		if !slices.Contains(p.stores, "postgres") {
			e.printf("nodes: skipped (needs -store postgres or both)")
		} else {
			r, err := e.runNodes(ctx, p.nodeMembers)
			report(r.String(), err)
			sum.copies += r.members
			sum.duplicates += r.duplicates
			sum.inflight += r.inflight
		}
	}
	if slices.Contains(p.scenarios, "digest") {
		// Three nodes on PostgreSQL; one on SQLite (one writer).
		for _, st := range p.stores {
			r, err := e.runDigest(ctx, digestOpts{store: st, rounds: p.digestRounds, members: p.digestMembers, posts: 5})
			report(r.String(), err)
			sum.rounds += r.rounds
			sum.acked += r.acked
			sum.copies += r.copies
			sum.duplicates += r.duplicates
			sum.inflight += r.inflight
		}
	}
	return sum, errors.Join(errs...)
}
