package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// testMailShared: digest mails that share a body store it once (two
// members, one body; a third member with another body), come back from
// ClaimMail with their own header in Raw and the body by SharedID, in
// claim order; FinishMails files a batch (sent, temporary, permanent,
// skipped) at once and leaves rows another owner holds alone; a body
// still queued is not swept, an unused one is.
func testMailShared(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := mustList(t, s, "ms@example.org")
	addMembers(t, s, l.ID, []store.NewMember{{Address: "a@x.org", Mode: store.ModeDigest},
		{Address: "b@x.org", Mode: store.ModeDigest}, {Address: "c@x.org", Mode: store.ModeDigest}})
	now := time.Now()
	cs, err := s.ClaimDigests(ctx, "n1", time.Minute, now, 10)
	must(t, err, "claim")
	if len(cs) != 3 {
		t.Fatalf("claimed %d, want 3", len(cs))
	}
	plain := []byte("Subject: digest\r\n\r\nplain body\r\n")
	html := []byte("Subject: digest\r\nContent-Type: text/html\r\n\r\n<p>html body</p>\r\n")
	batch := make([]store.DigestCommit, len(cs))
	for i, d := range cs {
		body := plain
		if d.Member.Address == "c@x.org" {
			body = html
		}
		head := []byte("Message-ID: <" + d.Member.Address + ">\r\n")
		batch[i] = store.DigestCommit{State: d, Outcome: store.DigestOutcome{Cursor: 1, NextDue: now.Add(time.Hour), Sent: now,
			Mail: []*store.QueuedMail{{From: "ms-bounces@example.org", To: d.Member.Address, Raw: head, Shared: body}}}}
	}
	lost, err := s.CommitDigests(ctx, batch)
	must(t, err, "commit")
	if len(lost) != 0 {
		t.Fatalf("lost %v", lost)
	}

	ms, err := s.ClaimMail(ctx, "w1", time.Minute, 10)
	must(t, err, "claim mail")
	if len(ms) != 3 {
		t.Fatalf("claimed %d mails, want 3", len(ms))
	}
	if !slices.IsSortedFunc(ms, func(a, b *store.QueuedMail) int { return int(a.ID - b.ID) }) {
		t.Errorf("claimed out of queue order: %d %d %d", ms[0].ID, ms[1].ID, ms[2].ID)
	}
	by := map[string]*store.QueuedMail{}
	for _, m := range ms {
		by[m.To] = m
		if want := "Message-ID: <" + m.To + ">\r\n"; string(m.Raw) != want || m.SharedID == 0 {
			t.Errorf("%s: raw %q shared %d, want its own header and a shared body", m.To, m.Raw, m.SharedID)
		}
	}
	if by["a@x.org"].SharedID != by["b@x.org"].SharedID || by["a@x.org"].SharedID == by["c@x.org"].SharedID {
		t.Errorf("body ids a=%d b=%d c=%d: want a and b to share one, c its own",
			by["a@x.org"].SharedID, by["b@x.org"].SharedID, by["c@x.org"].SharedID)
	}
	for addr, want := range map[string][]byte{"a@x.org": plain, "c@x.org": html} {
		got, err := s.MailBody(ctx, by[addr].SharedID)
		must(t, err, "mail body")
		if !bytes.Equal(got, want) {
			t.Errorf("%s: body %q, want %q", addr, got, want)
		}
	}
	if n, err := s.SweepMailBodies(ctx, now.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("sweep while queued = %d, %v; want 0 (both bodies in use)", n, err)
	}

	// a sent, b skipped (back at once), c failed for now; and a stale
	// result for a row another owner holds changes nothing.
	temp := &store.Failure{Rcpt: "c@x.org", Code: 451, Text: "later", Temporary: true}
	must(t, s.FinishMails(ctx, []store.MailResult{{Mail: by["a@x.org"]}, {Mail: by["b@x.org"], Skipped: true},
		{Mail: by["c@x.org"], Failure: temp, Next: now.Add(time.Hour)}}), "finish")
	again, err := s.ClaimMail(ctx, "w2", time.Minute, 10)
	must(t, err, "claim again")
	if len(again) != 1 || again[0].To != "b@x.org" || again[0].SharedID != by["b@x.org"].SharedID {
		t.Fatalf("after finish, claimable: %+v; want only b's skipped mail", again)
	}
	stale := *again[0]
	stale.Owner = "w1"
	must(t, s.FinishMails(ctx, []store.MailResult{{Mail: &stale}}), "stale finish")
	if q := pending(t, s); q.Mail != 2 {
		t.Errorf("after a stale finish: %d queued, want 2 (b held by w2, c waiting)", q.Mail)
	}
	perm := &store.Failure{Rcpt: "b@x.org", Code: 550, Text: "no such user"}
	must(t, s.FinishMails(ctx, []store.MailResult{{Mail: again[0], Failure: perm}}), "permanent")
	if q := pending(t, s); q.Mail != 1 {
		t.Errorf("after b failed for good: %d queued, want 1 (c waiting)", q.Mail)
	}
	// The plain body is unused now, the html one still queued for c.
	if n, err := s.SweepMailBodies(ctx, now.Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("sweep of bodies older than an hour ago = %d, %v; want 0", n, err)
	}
	n, err := s.SweepMailBodies(ctx, now.Add(time.Hour))
	must(t, err, "sweep")
	if n != 1 {
		t.Errorf("swept %d bodies, want 1 (the plain one)", n)
	}
	if _, err := s.MailBody(ctx, by["c@x.org"].SharedID); err != nil {
		t.Errorf("c's queued body was swept: %v", err)
	}
	wantErr(t, func() error { _, err := s.MailBody(ctx, by["a@x.org"].SharedID); return err }(), store.ErrNotFound, "swept body")

	// EnqueueMail keeps a shared body too (nothing drops it silently).
	must(t, s.EnqueueMail(ctx, &store.QueuedMail{From: "a@x", To: "d@x.org", Raw: []byte("To: d@x.org\r\n"), Shared: plain}), "enqueue")
	d, err := s.ClaimMail(ctx, "w3", time.Minute, 10)
	must(t, err, "claim enqueued")
	if len(d) != 1 || d[0].SharedID == 0 {
		t.Fatalf("enqueued shared mail claimed as %+v", d)
	}
	if b, err := s.MailBody(ctx, d[0].SharedID); err != nil || !bytes.Equal(b, plain) {
		t.Errorf("enqueued shared body = %q, %v", b, err)
	}
}
