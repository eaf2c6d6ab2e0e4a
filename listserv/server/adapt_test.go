package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestRelayConnectionLimit: a relay that takes only two connections
// refuses the others with 421; the engine backs off to what the relay
// allows and every member still gets exactly one copy.
func TestRelayConnectionLimit(t *testing.T) {
	sink := smtpsink.Start(t, smtpsink.Options{MaxConns: 2, Discard: true})
	cfg := server.Config{DB: t.TempDir() + "/db", SMTP: "127.0.0.1:0", HTTP: "127.0.0.1:0", Relay: sink.URL(),
		BaseURL: baseURL, Hostname: "lists.example.org", Deliver: true}
	cfg.Delivery.Workers, cfg.Delivery.ChunkSize, cfg.Delivery.Poll = 8, 20, 50*time.Millisecond
	srv, err := server.Start(context.Background(), cfg, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	ctx := context.Background()
	l := &store.List{Address: "bench@lists.example.org", Policy: store.PolicyOpen}
	if err := srv.Store.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	ms := make([]store.NewMember, 300)
	for i := range ms {
		ms[i] = store.NewMember{Address: fmt.Sprintf("b%d@example.net", i)}
	}
	srv.Store.AddMembers(ctx, l.ID, ms)
	if err := sendB(srv, post("b1@example.net", "busy relay", "busy@x", "")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every member", func() bool { return sink.Count() >= 300 })
	time.Sleep(200 * time.Millisecond)
	counts := sink.RcptCounts()
	for _, m := range ms {
		if counts[m.Address] != 1 {
			t.Fatalf("%s got %d copies, want 1", m.Address, counts[m.Address])
		}
	}
	if sink.OpenConns() > 2 {
		t.Errorf("%d connections open at a relay that allows 2", sink.OpenConns())
	}
}
