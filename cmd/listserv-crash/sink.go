package main

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/internal/smtpsink"
)

// sink is the relay the servers under test deliver to: the project's
// smtpsink, with hooks that record, per post (Message-ID) and recipient,
// how many copies it accepted, refuse RCPTs at random (fault "refuse"),
// and re-arm its connection drop at random (fault "drop").
type sink struct {
	*smtpsink.Sink

	mu     sync.Mutex
	counts tally
	// digests maps a digest's Message-ID to the posts it holds (the
	// Message-ID lines of its text part), recorded at its first copy.
	digests map[string][]string
	rng     *rand.Rand

	refusals  atomic.Int64
	refusePM  atomic.Int64 // per mille of RCPTs refused
	every421  atomic.Int64 // one refusal in this many is a 421, not a 451; 0: none
	dropMin   atomic.Int64 // SetDropAfter range in fault "drop"; 0: off
	dropMax   atomic.Int64
	stopDrops chan struct{}

	// trace, when set before use, sees every refusal and acceptance
	// (for diagnosing a failure; nil in normal runs).
	trace func(event, from, to, post string)
}

func newSink(seed uint64) (*sink, error) {
	s := &sink{counts: tally{}, digests: map[string][]string{}, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), stopDrops: make(chan struct{})}
	ss, err := smtpsink.New(smtpsink.Options{CountOnly: true, Rcpt: s.rcpt, Data: s.data})
	if err != nil {
		return nil, err
	}
	s.Sink = ss
	go s.rearmDrops()
	return s, nil
}

// Close stops the sink.
func (s *sink) Close() error {
	close(s.stopDrops)
	return s.Sink.Close()
}

// Total is the number of copies accepted so far.
func (s *sink) Total() int64 { return s.Count() }

// setFaults configures the fault mode: "none", "refuse" or "drop".
func (s *sink) setFaults(mode string) {
	s.refusePM.Store(0)
	s.dropMin.Store(0)
	s.SetDropAfter(0)
	switch mode {
	case "refuse":
		s.refusePM.Store(100) // ~10% of RCPTs refused ...
		s.every421.Store(10)  // ... 1 in 10 of them with 421, the rest 451
	case "drop":
		s.dropMax.Store(300)
		s.dropMin.Store(20)
		s.SetDropAfter(s.randIn(20, 300))
	}
}

func (s *sink) randIn(lo, hi int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return lo + s.rng.Int64N(hi-lo+1)
}

// rearmDrops calls SetDropAfter(k), k random, after every drop.
func (s *sink) rearmDrops() {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	seen := int64(0)
	for {
		select {
		case <-s.stopDrops:
			return
		case <-t.C:
		}
		if d := s.Dropped(); d != seen {
			seen = d
			if lo := s.dropMin.Load(); lo > 0 {
				s.SetDropAfter(s.randIn(lo, s.dropMax.Load()))
			}
		}
	}
}

// snapshot copies the per-post, per-recipient counts.
func (s *sink) snapshot() tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(tally, len(s.counts))
	for id, m := range s.counts {
		c := make(map[string]int, len(m))
		for k, v := range m {
			c[k] = v
		}
		out[id] = c
	}
	return out
}

// quiesce waits until no connection is open, so every copy whose DATA
// reached the sink before a kill has been counted.
func (s *sink) quiesce(limit time.Duration) bool {
	end := time.Now().Add(limit)
	for s.OpenConns() > 0 {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

func (s *sink) rcpt(from, to string) error {
	pm := s.refusePM.Load()
	if pm <= 0 {
		return nil
	}
	n := s.randIn(0, 999)
	if n >= pm {
		return nil
	}
	s.refusals.Add(1)
	err := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	if k := s.every421.Load(); k > 0 && n%k == 0 {
		err = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "busy, try later"}
	}
	if s.trace != nil {
		s.trace("refused-"+err.Error(), from, to, "")
	}
	return err
}

// data records an accepted copy; the sink answers 250 after it returns.
func (s *sink) data(from string, to []string, data []byte) error {
	id := messageID(data)
	s.mu.Lock()
	m := s.counts[id]
	if m == nil {
		m = map[string]int{}
		s.counts[id] = m
	}
	for _, r := range to {
		m[strings.ToLower(r)]++
	}
	if _, ok := s.digests[id]; !ok && strings.HasPrefix(id, "digest.") {
		s.digests[id] = digestPosts(data)
	}
	s.mu.Unlock()
	if s.trace != nil {
		for _, r := range to {
			s.trace("accepted", from, r, id)
		}
	}
	return nil
}

// messageID returns the Message-ID header of data without angle brackets.
func messageID(data []byte) string {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	h, _ := r.ReadMIMEHeader()
	return strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
}
