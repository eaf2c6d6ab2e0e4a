package delivery_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
)

func TestDigestJobSQLite(t *testing.T) { testDigestJob(t, filepath.Join(t.TempDir(), "listserv.db")) }

func TestDigestJobPostgres(t *testing.T) { testDigestJob(t, testpg.URL(t)) }

// testDigestJob: a digest part queued for five members as one job goes
// out through a real relay as each member's own fields (DigestCopy) then
// the shared body, byte for byte, from each member's VERP sender, on one
// connection; a recipient refused for good is recorded against the
// member, one refused for now is queued as mail of the same body, and
// the job is gone.
func testDigestJob(t *testing.T, dbURL string) {
	ctx := t.Context()
	sink := refusingSink(t)
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // after the engine stops (cleanups run last first)
	tokens := token.New([]byte("secret"))
	rcpts := []string{"m0@example.net", "gone@example.net", "m1@example.net", "full@example.net", "m2@example.net"}
	want, from, ids := queueDigestJob(t, db, tokens, rcpts)

	runRelayEngine(t, db, sink, tokens)

	waitFor(t, func() bool { q, err := db.Pending(ctx); return err == nil && q.DigestJobs == 0 && q.Mail == 1 },
		"the job sent, and one mail queued for the one refused for now")
	got := map[string]smtpsink.Message{}
	for _, m := range sink.Messages() {
		got[m.To[0]] = m
	}
	for _, to := range []string{"m0@example.net", "m1@example.net", "m2@example.net"} {
		if !bytes.Equal(got[to].Data, want[to]) {
			t.Errorf("%s got\n%q\nwant\n%q", to, got[to].Data, want[to])
		}
		if got[to].From != from[to] {
			t.Errorf("%s: envelope sender %q, want %q", to, got[to].From, from[to])
		}
	}
	if len(got) != 3 {
		t.Errorf("sink holds copies for %d recipients, want 3", len(got))
	}
	if n := sink.Conns(); n != 1 {
		t.Errorf("%d connections for one job, want 1", n)
	}
	fs, err := db.ListFailures(ctx, ids["gone@example.net"])
	if err != nil || len(fs) != 1 || fs[0].Code != 550 {
		t.Errorf("gone's failures %+v, %v; want the 550", fs, err)
	}
	retry, err := db.ClaimMail(ctx, "check", time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(retry) != 0 {
		t.Fatalf("the retry was due at once: %+v", retry)
	}
}

// queueDigestJob queues one digest part for every recipient through the
// digest store's commit (one job), and returns each recipient's whole
// message, envelope sender and member id.
func queueDigestJob(t *testing.T, db *sqldb.DB, tokens *token.Maker, rcpts []string) (map[string][]byte, map[string]string, map[string]int64) {
	t.Helper()
	ctx := t.Context()
	l, cs := claimDigestMembers(t, db, rcpts)
	body := digestBody
	part := store.DigestPart{Shared: body, Part: 1, FirstUID: 4, LastUID: 9, LastMsgID: 12}
	want, from, ids := map[string][]byte{}, map[string]string{}, map[string]int64{}
	batch := make([]store.DigestCommit, len(cs))
	for i, d := range cs {
		dc := &delivery.DigestCopy{List: l, BaseURL: "https://lists.example.org", MemberID: d.MemberID, FirstUID: 4,
			LastUID: 9, LastMsgID: 12, Part: 1}
		var b bytes.Buffer
		dc.AppendHead(&b, tokens)
		want[d.Member.Address] = append(b.Bytes(), body...)
		from[d.Member.Address], ids[d.Member.Address] = dc.From(tokens), d.MemberID
		batch[i] = store.DigestCommit{State: d, Outcome: store.DigestOutcome{Cursor: 9, NextDue: time.Now().Add(time.Hour),
			Sent: time.Now(), Parts: []store.DigestPart{part}}}
	}
	if lost, err := db.CommitDigests(ctx, batch); err != nil || len(lost) != 0 {
		t.Fatalf("commit: lost %v, %v", lost, err)
	}
	return want, from, ids
}
