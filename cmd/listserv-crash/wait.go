package main

import (
	"fmt"
	"strings"
	"time"
)

// waitDelivered waits until every post in ids has reached every member,
// or limit passes; then it says what is missing.
func waitDelivered(s *sink, ids, members []string, limit time.Duration, alive func() error) error {
	end := time.Now().Add(limit)
	for {
		t := s.snapshot()
		if t.complete(ids, members) {
			return nil
		}
		if err := alive(); err != nil {
			return err
		}
		if time.Now().After(end) {
			n, sample := t.missing(ids, members, 10)
			return fmt.Errorf("after %s, %d of %d copies (posts x members) never arrived; e.g.\n    %s",
				limit, n, len(ids)*len(members), strings.Join(sample, "\n    "))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// nodesAlive is an alive check failing when any node exited on its own.
func nodesAlive(ns ...*node) func() error {
	return func() error {
		for _, n := range ns {
			if n.exited() {
				return fmt.Errorf("%s exited unexpectedly: %v\n%s", n.name, n.waitErr, tail(n.logPath, 20))
			}
		}
		return nil
	}
}
