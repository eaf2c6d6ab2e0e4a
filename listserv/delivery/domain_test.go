package delivery_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
)

// throttlingSink answers for slow.example like a provider that throttles:
// it takes the first copies, then for a window answers 421 and 451 4.7.1
// alternately, then takes copies again. It records the most transactions
// to slow.example open at once (go-smtp handles a connection's commands
// in order, so open transactions are connections) and when copies arrived.
type throttlingSink struct {
	mu                  sync.Mutex
	acceptFirst         int
	window              time.Duration
	accepted            int
	throttledAt         time.Time // the first refusal
	open, maxOpen       int
	firstSlowAfter      time.Time // first slow copy taken after the window
	lastFast            time.Time
	refused421, refused int
}

const slowDomain = "slow.example"

func (s *throttlingSink) rcpt(_, to string) error {
	time.Sleep(10 * time.Millisecond) // a real server's pace: copies overlap
	if !strings.HasSuffix(to, "@"+slowDomain) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accepted >= s.acceptFirst && (s.throttledAt.IsZero() || time.Since(s.throttledAt) < s.window) {
		if s.throttledAt.IsZero() {
			s.throttledAt = time.Now()
		}
		s.refused++
		if s.refused%2 == 1 {
			s.refused421++
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "too many messages, slow down"}
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "deferred: try again later"}
	}
	s.accepted++
	if !s.throttledAt.IsZero() && s.firstSlowAfter.IsZero() {
		s.firstSlowAfter = time.Now()
	}
	s.open++
	s.maxOpen = max(s.maxOpen, s.open)
	return nil
}

func (s *throttlingSink) data(_ string, to []string, _ []byte) error {
	time.Sleep(20 * time.Millisecond) // the transaction stays open a while
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.HasSuffix(to[0], "@"+slowDomain) {
		s.open--
	} else {
		s.lastFast = time.Now()
	}
	return nil
}

// TestDomainThrottle: a domain that answers 421/451 is paused alone: the
// other domains' copies all arrive while it refuses, its own copies are
// retried after the pause and all arrive once, and at no time are more
// than its limit of connections open to it; with and without PIPELINING
// (whose announced next copy must hold its domain's slot too).
func TestDomainThrottle(t *testing.T) {
	for _, noPipe := range []bool{true, false} {
		t.Run(fmt.Sprintf("NoPipelining=%v", noPipe), func(t *testing.T) { testDomainThrottle(t, noPipe) })
	}
}

func testDomainThrottle(t *testing.T, noPipe bool) {
	const perDomain, slowConns = 30, 2
	ts := &throttlingSink{acceptFirst: 10, window: 3 * time.Second}
	sink := smtpsink.Start(t, smtpsink.Options{NoPipelining: noPipe, Rcpt: ts.rcpt, Data: ts.data})
	db, err := sqldb.Open(t.Context(), filepath.Join(t.TempDir(), "listserv.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	domains := []string{"fast1.example", slowDomain, "fast2.example"}
	var addrs []string
	for i := range perDomain {
		for _, d := range domains {
			addrs = append(addrs, fmt.Sprintf("m%d@%s", i, d))
		}
	}
	queuePostTo(t, db, "team@lists.example.org", addrs)

	limits := delivery.DomainLimits{Default: delivery.Limit{Conns: 20}}
	if err := limits.Set(slowDomain + "=conns:2"); err != nil {
		t.Fatal(err)
	}
	relay, err := delivery.NewRelay(sink.URL(), "lists.example.org")
	if err != nil {
		t.Fatal(err)
	}
	e := delivery.New(db, relay, token.New([]byte("secret")), delivery.Config{Node: "n1", Workers: 6, ChunkSize: 5,
		Poll: 50 * time.Millisecond, RetryBase: 200 * time.Millisecond, Domains: limits,
		DomainPause: 300 * time.Millisecond, DomainPauseMax: time.Second}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })

	wctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := sink.WaitCount(wctx, int64(len(addrs))); err != nil {
		t.Fatalf("%d of %d copies arrived: %v", sink.Count(), len(addrs), err)
	}
	for _, a := range addrs {
		if n := sink.CountFor(a); n != 1 {
			t.Errorf("%s got %d copies, want 1", a, n)
		}
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t.Logf("slow.example: %d refusals (%d of them 421), at most %d connections at once; the last fast copy came %v after the first refusal, the first slow copy after the window %v after it",
		ts.refused, ts.refused421, ts.maxOpen, ts.lastFast.Sub(ts.throttledAt).Round(time.Millisecond), ts.firstSlowAfter.Sub(ts.throttledAt).Round(time.Millisecond))
	if ts.refused421 == 0 || ts.refused-ts.refused421 == 0 {
		t.Fatalf("the sink answered %d refusals, %d of them 421: the test needs both 421 and 451", ts.refused, ts.refused421)
	}
	if ts.maxOpen > slowConns {
		t.Errorf("%d connections to slow.example at once, its limit is %d", ts.maxOpen, slowConns)
	}
	if ts.maxOpen < slowConns {
		t.Errorf("at most %d connection to slow.example at once: the limit of %d was never reached, so the test proves nothing", ts.maxOpen, slowConns)
	}
	if !ts.lastFast.Before(ts.firstSlowAfter) {
		t.Errorf("the other domains' last copy came %v after slow.example's first refusal, after slow.example took copies again: they were held up",
			ts.lastFast.Sub(ts.throttledAt))
	}
	// Paused, slow.example is asked a few times per pause, not once per copy.
	if ts.refused > perDomain {
		t.Errorf("slow.example was tried %d times while refusing: a paused domain should not be tried per copy", ts.refused)
	}
}

// queuePostTo creates a list with these members (in this order) and
// queues one accepted post to it.
func queuePostTo(t *testing.T, st store.Store, list string, addrs []string) {
	t.Helper()
	ctx := t.Context()
	l := &store.List{Address: list, Name: list}
	if err := st.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	var ms []store.NewMember
	for _, a := range addrs {
		ms = append(ms, store.NewMember{Address: a})
	}
	if _, _, err := st.AddMembers(ctx, l.ID, ms); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("%d@example.net", time.Now().UnixNano())
	raw := []byte("From: a@example.net\r\nTo: " + list + "\r\nSubject: hi\r\nMessage-ID: <" + id + ">\r\n\r\nhello\r\n")
	msg := &store.Message{ListID: l.ID, EnvelopeFrom: "a@example.net", FromAddr: "a@example.net", Subject: "hi",
		MessageID: id, SentAt: time.Now(), Raw: raw, State: store.StateAccepted}
	if err := st.SaveIntake(ctx, []*store.Intake{{Message: msg}}); err != nil {
		t.Fatal(err)
	}
}

// TestDomainRate: copies to a domain limited to 20 a second arrive no
// faster than that (a burst of 2, then one every 50 ms), while another
// domain's copies are not held to that pace.
func TestDomainRate(t *testing.T) {
	var mu sync.Mutex
	arrived := map[string][]time.Time{}
	sink := smtpsink.Start(t, smtpsink.Options{Data: func(_ string, to []string, _ []byte) error {
		mu.Lock()
		d := to[0][strings.LastIndexByte(to[0], '@')+1:]
		arrived[d] = append(arrived[d], time.Now())
		mu.Unlock()
		return nil
	}})
	db, err := sqldb.Open(t.Context(), filepath.Join(t.TempDir(), "listserv.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var addrs []string
	for i := range 20 {
		addrs = append(addrs, fmt.Sprintf("r%d@rated.example", i), fmt.Sprintf("f%d@free.example", i))
	}
	queuePostTo(t, db, "team@lists.example.org", addrs)
	limits := delivery.DefaultDomainLimits()
	if err := limits.Set("rated.example=rate:1200/m"); err != nil {
		t.Fatal(err)
	}
	relay, err := delivery.NewRelay(sink.URL(), "lists.example.org")
	if err != nil {
		t.Fatal(err)
	}
	e := delivery.New(db, relay, token.New([]byte("secret")), delivery.Config{Node: "n1", Workers: 4, ChunkSize: 10,
		Poll: 50 * time.Millisecond, RetryBase: 100 * time.Millisecond, Domains: limits}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	wctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := sink.WaitCount(wctx, int64(len(addrs))); err != nil {
		t.Fatalf("%d of %d copies arrived: %v", sink.Count(), len(addrs), err)
	}
	mu.Lock()
	defer mu.Unlock()
	rated, free := arrived["rated.example"], arrived["free.example"]
	start := rated[0]
	if free[0].Before(start) {
		start = free[0]
	}
	span := rated[len(rated)-1].Sub(rated[0])
	t.Logf("rated.example: 20 copies over %v; free.example: 20 copies over %v", span.Round(time.Millisecond), free[len(free)-1].Sub(start).Round(time.Millisecond))
	for i, at := range rated {
		// Token bucket: by time x after the first, at most 2 + 20x copies.
		if allowed := 2 + int(at.Sub(rated[0]).Seconds()*20); i+1 > allowed+1 {
			t.Fatalf("copy %d to rated.example arrived %v after the first: faster than 20 a second", i+1, at.Sub(rated[0]))
		}
	}
	if !free[len(free)-1].Before(rated[len(rated)-1]) {
		t.Errorf("free.example's last copy came after rated.example's: it was held to the other domain's rate")
	}
}

// TestDomainLimitsSet: overrides parse, change only their domain, and a
// bad one says what is wrong.
func TestDomainLimitsSet(t *testing.T) {
	d := delivery.DefaultDomainLimits()
	for _, spec := range []string{"Gmail.com=conns:5,rate:20/s", "default=conns:50", "lists.example=rate:600/m"} {
		if err := d.Set(spec); err != nil {
			t.Fatalf("Set(%q): %v", spec, err)
		}
	}
	want := map[string]delivery.Limit{
		"gmail.com":     {Conns: 5, Rate: 20},
		"yahoo.com":     delivery.DefaultDomainLimits().For("yahoo.com"),
		"lists.example": {Conns: 50, Rate: 10}, // from the default as it was then
		"other.example": {Conns: 50},
	}
	for dom, l := range want {
		if got := d.For(dom); got != l {
			t.Errorf("For(%s) = %+v, want %+v", dom, got, l)
		}
	}
	for _, bad := range []string{"gmail.com", "=conns:1", "gmail.com=conns:-1", "gmail.com=rate:5/d", "gmail.com=speed:3"} {
		if err := d.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}
