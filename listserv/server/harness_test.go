package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// stores runs fn once per store: SQLite always, PostgreSQL when available.
func stores(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "listserv.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, testpg.URL(t)) })
}

// refusals lets a test make the sink refuse chosen recipients.
type refusals struct {
	mu    sync.Mutex
	codes map[string][]*smtp.SMTPError // consumed one per attempt; the last one sticks
}

func (r *refusals) set(addr string, errs ...*smtp.SMTPError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.codes == nil {
		r.codes = map[string][]*smtp.SMTPError{}
	}
	r.codes[strings.ToLower(addr)] = errs
}

func (r *refusals) rcpt(_, to string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	errs := r.codes[strings.ToLower(to)]
	if len(errs) == 0 {
		return nil
	}
	e := errs[0]
	if len(errs) > 1 {
		r.codes[strings.ToLower(to)] = errs[1:]
	}
	if e == nil {
		return nil
	}
	return e
}

type env struct {
	srv  *server.Server
	sink *smtpsink.Sink
	ref  *refusals
	st   store.Store
}

const baseURL = "https://lists.example.org"

func start(t *testing.T, dbURL string, mut ...func(*server.Config)) *env {
	t.Helper()
	return startLogged(t, dbURL, nil, mut...)
}

// startLogged is start with the server's log going to log (nil: the
// test's log when verbose, else nowhere).
func startLogged(t *testing.T, dbURL string, log *slog.Logger, mut ...func(*server.Config)) *env {
	t.Helper()
	ref := &refusals{}
	sink := smtpsink.Start(t, smtpsink.Options{Rcpt: ref.rcpt})
	cfg := server.Config{DB: dbURL, SMTP: "127.0.0.1:0", LMTP: "127.0.0.1:0", HTTP: "127.0.0.1:0",
		Relay: sink.URL(), BaseURL: baseURL, Hostname: "lists.example.org", Deliver: true}
	cfg.SMTPIn.MaxMessageBytes = 64 << 10
	cfg.SMTPIn.MaxRecipients = 5
	cfg.SMTPIn.ReadTimeout, cfg.SMTPIn.WriteTimeout = 10*time.Second, 10*time.Second
	cfg.Delivery.Workers, cfg.Delivery.ChunkSize = 4, 3
	cfg.Delivery.Poll, cfg.Delivery.RetryBase, cfg.Delivery.Lease = 50*time.Millisecond, 100*time.Millisecond, 5*time.Second
	for _, m := range mut {
		m(&cfg)
	}
	if log == nil {
		log = quietLog()
		if testing.Verbose() {
			log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
		}
	}
	srv, err := server.Start(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, server.ErrStopped) {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &env{srv: srv, sink: sink, ref: ref, st: srv.Store}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// sendB posts raw to the list over real SMTP (for benchmarks).
func sendB(s *server.Server, raw string) error {
	c, err := smtp.Dial(s.Addr("smtp"))
	if err != nil {
		return err
	}
	defer c.Close()
	return c.SendMail("m1@example.net", []string{"bench@lists.example.org"}, strings.NewReader(raw))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// send posts raw over real SMTP and returns the server's error, if any.
func (e *env) send(t *testing.T, from string, to []string, raw string) error {
	t.Helper()
	c, err := smtp.Dial(e.srv.Addr("smtp"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example.net"); err != nil {
		t.Fatal(err)
	}
	return c.SendMail(from, to, strings.NewReader(raw))
}

func (e *env) mustSend(t *testing.T, from string, to []string, raw string) {
	t.Helper()
	if err := e.send(t, from, to, raw); err != nil {
		t.Fatalf("send from %s: %v", from, err)
	}
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) list(t *testing.T, l *store.List, members ...store.NewMember) *store.List {
	t.Helper()
	ctx := context.Background()
	if err := e.st.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.AddMembers(ctx, l.ID, members); err != nil {
		t.Fatal(err)
	}
	return l
}

// copiesTo returns the sink's messages whose RCPT is addr.
func (e *env) copiesTo(addr string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range e.sink.Messages() {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}
