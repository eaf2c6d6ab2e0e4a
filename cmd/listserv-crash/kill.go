package main

import (
	"fmt"
	"time"
)

// killPlan is the random moment of a round's SIGKILL: after the k-th
// acknowledged post (during intake), or once the sink holds a fraction of
// the round's copies (during fan-out).
type killPlan struct {
	intake bool
	acks   int64   // intake: kill after this many 250s ...
	pause  int     // ... plus this many milliseconds
	frac   float64 // fan-out: kill at this fraction of posts x members
}

func (e *env) planKill(posts int) killPlan {
	if posts > 1 && e.rng.IntN(3) == 0 {
		return killPlan{intake: true, acks: 1 + e.rng.Int64N(int64(posts-1)), pause: e.rng.IntN(4)}
	}
	return killPlan{frac: 0.03 + 0.87*e.rng.Float64()}
}

// wait blocks until the planned moment (or until the round is over: every
// acknowledged post delivered, or 30 s) and returns a description of it.
func (k killPlan) wait(in *intake, s *sink, base int64, members []string, posts int) string {
	end := time.Now().Add(30 * time.Second)
	target := base + int64(k.frac*float64(posts*len(members)))
	for time.Now().Before(end) {
		if k.intake {
			if in.n.Load() >= k.acks {
				time.Sleep(time.Duration(k.pause) * time.Millisecond)
				return fmt.Sprintf("intake@%dacks+%dms", k.acks, k.pause)
			}
		} else if s.Total() >= target {
			return fmt.Sprintf("fanout@%d/%d", s.Total()-base, posts*len(members))
		}
		select {
		case <-in.done:
			if k.intake || s.snapshot().complete(in.ackedIDs(), members) {
				return fmt.Sprintf("after@%d/%d", s.Total()-base, posts*len(members))
			}
		default:
		}
		time.Sleep(time.Millisecond)
	}
	return "timeout"
}
