package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
)

func TestSharedMailSQLite(t *testing.T) {
	testSharedMail(t, filepath.Join(t.TempDir(), "listserv.db"))
}

func TestSharedMailPostgres(t *testing.T) { testSharedMail(t, testpg.URL(t)) }

// testSharedMail: digest mails with a shared body go out through a real
// relay as their own header then the body, byte for byte, pipelined on
// one connection; a recipient refused for good is dropped from the
// queue, one refused for now stays queued for a retry, and the others
// are gone once sent.
func testSharedMail(t *testing.T, dbURL string) {
	ctx := t.Context()
	sink := refusingSink(t)
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // after the engine stops (cleanups run last first)
	rcpts := []string{"m0@example.net", "gone@example.net", "m1@example.net", "full@example.net", "m2@example.net"}
	want := queueDigests(t, db, rcpts)

	runRelayEngine(t, db, sink, token.New([]byte("secret")))

	waitFor(t, func() bool { q, err := db.Pending(ctx); return err == nil && q.Mail == 1 }, "the queue down to the one refused for now")
	got := map[string][]byte{}
	for _, m := range sink.Messages() {
		got[m.To[0]] = m.Data
	}
	for _, to := range []string{"m0@example.net", "m1@example.net", "m2@example.net"} {
		if !bytes.Equal(got[to], want[to]) {
			t.Errorf("%s got\n%q\nwant\n%q", to, got[to], want[to])
		}
	}
	if len(got) != 3 {
		t.Errorf("sink holds copies for %d recipients, want 3", len(got))
	}
	if n := sink.Conns(); n != 1 {
		t.Errorf("%d connections for one batch, want 1", n)
	}
	left, err := db.ClaimMail(ctx, "check", time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("a mail was claimable again at once: %+v", left)
	}
}

// queueDigests queues one digest mail per recipient through the digest
// store's commit, the members sharing one body, and returns each
// recipient's whole message.
func queueDigests(t *testing.T, db *sqldb.DB, rcpts []string) map[string][]byte {
	t.Helper()
	ctx := t.Context()
	_, cs := claimDigestMembers(t, db, rcpts)
	body := digestBody
	want := map[string][]byte{}
	batch := make([]store.DigestCommit, len(cs))
	for i, d := range cs {
		head := fmt.Appendf(nil, "Message-ID: <digest.%d@lists.example.org>\r\n", d.MemberID)
		want[d.Member.Address] = append(append([]byte{}, head...), body...)
		batch[i] = store.DigestCommit{State: d, Outcome: store.DigestOutcome{Cursor: 1, NextDue: time.Now().Add(time.Hour),
			Sent: time.Now(), Mail: []*store.QueuedMail{{From: "team-bounces@lists.example.org", To: d.Member.Address,
				Raw: head, Shared: body}}}}
	}
	if lost, err := db.CommitDigests(ctx, batch); err != nil || len(lost) != 0 {
		t.Fatalf("commit: lost %v, %v", lost, err)
	}
	return want
}

// refusingSink is a real SMTP sink that refuses gone@example.net for
// good (550 5.1.1) and full@example.net for now (452 4.2.2).
func refusingSink(t *testing.T) *smtpsink.Sink {
	t.Helper()
	return smtpsink.Start(t, smtpsink.Options{Rcpt: func(_, to string) error {
		switch to {
		case "gone@example.net":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		case "full@example.net":
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "mailbox full"}
		}
		return nil
	}})
}

// runRelayEngine runs a one-worker delivery engine over db, relaying to
// sink, until the test ends, and wakes it.
func runRelayEngine(t *testing.T, db *sqldb.DB, sink *smtpsink.Sink, tokens *token.Maker) {
	t.Helper()
	relay, err := delivery.NewRelay(sink.URL(), "lists.example.org")
	if err != nil {
		t.Fatal(err)
	}
	e := delivery.New(db, relay, tokens, delivery.Config{Node: "n1", Workers: 1, Poll: time.Hour,
		BaseURL: "https://lists.example.org"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	e.Wake()
}

// digestBody is the shared body of the test digests (a line starting
// with a dot checks the dot-stuffing).
var digestBody = []byte("From: Team <team@lists.example.org>\r\nSubject: [Team] Daily digest\r\n\r\n.a line with a dot\r\nposts\r\n")

// claimDigestMembers makes team@lists.example.org with rcpts in digest
// mode and claims their digests.
func claimDigestMembers(t *testing.T, db *sqldb.DB, rcpts []string) (*store.List, []*store.DigestState) {
	t.Helper()
	ctx := t.Context()
	l := &store.List{Address: "team@lists.example.org", Name: "Team"}
	if err := db.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	var ms []store.NewMember
	for _, r := range rcpts {
		ms = append(ms, store.NewMember{Address: r, Mode: store.ModeDigest})
	}
	if _, _, err := db.AddMembers(ctx, l.ID, ms); err != nil {
		t.Fatal(err)
	}
	cs, err := db.ClaimDigests(ctx, "digest", time.Minute, time.Now(), 10)
	if err != nil || len(cs) != len(rcpts) {
		t.Fatalf("claimed %d digests (%v), want %d", len(cs), err, len(rcpts))
	}
	return l, cs
}
