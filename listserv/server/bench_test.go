package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// BenchmarkFanout measures one post to 10,000 members through the whole
// server in-process (the cmd/listserv-bench tool measures the real process).
func BenchmarkFanout(b *testing.B) {
	benchStores(b, func(b *testing.B, db string) { benchFanout(b, db, 10000) })
}

// benchStores runs fn on SQLite and, when available, PostgreSQL.
func benchStores(b *testing.B, fn func(b *testing.B, db string)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, filepath.Join(b.TempDir(), "db")) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv("LISTSERV_TEST_POSTGRES") == "" {
			b.Skip("no PostgreSQL")
		}
		fn(b, testpg.URL(b))
	})
}

func benchFanout(b *testing.B, db string, n int) {
	sink, err := smtpsink.New(smtpsink.Options{CountOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	e := startB(b, db, sink)
	ms := make([]store.NewMember, n)
	for i := range ms {
		ms[i] = store.NewMember{Address: fmt.Sprintf("m%d@example.net", i)}
	}
	ctx := context.Background()
	l := &store.List{Address: "bench@lists.example.org", Policy: store.PolicyOpen}
	if err := e.Store.CreateList(ctx, l); err != nil {
		b.Fatal(err)
	}
	if _, _, err := e.Store.AddMembers(ctx, l.ID, ms); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink.Reset()
		start := time.Now()
		if err := sendB(e, post("m1@example.net", "bench", fmt.Sprintf("b%d@x", i), "")); err != nil {
			b.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		if err := sink.WaitCount(wctx, int64(n)); err != nil {
			b.Fatal(err)
		}
		cancel()
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rcpt/s")
	}
}

func startB(b *testing.B, db string, sink *smtpsink.Sink) *server.Server {
	cfg := server.Config{DB: db, SMTP: "127.0.0.1:0", HTTP: "127.0.0.1:0", Relay: sink.URL(),
		BaseURL: baseURL, Hostname: "lists.example.org", Deliver: true}
	srv, err := server.Start(context.Background(), cfg, quietLog())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Shutdown(context.Background()) })
	return srv
}
