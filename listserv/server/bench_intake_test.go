package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// BenchmarkIntake: 20 SMTP clients post to a 10-member list with delivery
// paused; reports durable posts per second.
func BenchmarkIntake(b *testing.B) {
	benchStores(b, func(b *testing.B, db string) {
		cfg := server.Config{DB: db, SMTP: "127.0.0.1:0", HTTP: "127.0.0.1:0", Relay: "capture",
			BaseURL: baseURL, Hostname: "lists.example.org", Deliver: false}
		srv, err := server.Start(context.Background(), cfg, quietLog())
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Shutdown(context.Background())
		ctx := context.Background()
		l := &store.List{Address: "small@lists.example.org", Policy: store.PolicyOpen}
		srv.Store.CreateList(ctx, l)
		ms := make([]store.NewMember, 10)
		for i := range ms {
			ms[i] = store.NewMember{Address: fmt.Sprintf("s%d@example.net", i)}
		}
		srv.Store.AddMembers(ctx, l.ID, ms)
		var n atomic.Int64
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		per := max(b.N/20, 1)
		for c := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cl, err := smtp.Dial(srv.Addr("smtp"))
				if err != nil {
					b.Error(err)
					return
				}
				defer cl.Close()
				for i := range per {
					raw := post("s1@example.net", "intake", fmt.Sprintf("i%d.%d@x", c, i), "")
					if err := cl.SendMail("s1@example.net", []string{l.Address}, strings.NewReader(raw)); err != nil {
						b.Error(err)
						return
					}
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "posts/s")
	})
}
