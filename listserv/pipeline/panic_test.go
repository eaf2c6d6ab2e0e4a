package pipeline_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/demnet-uk/listserv/listserv/pipeline"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// TestPanicAfterCommitKeepsTheAnswer: a panic in what runs after a post
// is committed (here the wake-up hook) must not turn the sender's 250
// into an error: the sender would retry and members would get it twice.
func TestPanicAfterCommitKeepsTheAnswer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateList(ctx, &store.List{Address: "team@lists.example.org", Policy: store.PolicyOpen}); err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go p.Run(ctx)
	p.Accepted = func() { panic("wake-up hook broke") }
	r, err := p.Resolve(ctx, "team@lists.example.org")
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: ann@example.net\r\nMessage-ID: <p@example.net>\r\nSubject: hi\r\n\r\nHello.\r\n")
	outs, errs := p.Deliver(ctx, pipeline.Envelope{From: "ann@example.net"}, []*pipeline.Recipient{r}, raw)
	if errs[0] != nil || outs[0].State != store.StateAccepted || outs[0].ID == 0 {
		t.Fatalf("Deliver = %+v, %v; want the committed post accepted", outs[0], errs[0])
	}
}
