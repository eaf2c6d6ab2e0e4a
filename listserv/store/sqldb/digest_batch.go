package sqldb

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// mailRowsPerInsert bounds one multi-row INSERT into mailq (4 parameters
// a row, far below SQLite's and PostgreSQL's limits).
const mailRowsPerInsert = 500

// CommitDigests commits a batch in one transaction: every member's fenced
// cursor move, then all the batch's mail in multi-row INSERTs, each
// shared body stored once. A member whose claim was lost queues nothing.
func (db *DB) CommitDigests(ctx context.Context, cs []store.DigestCommit) ([]int, error) {
	var lost []int
	err := db.d.tx(ctx, func(q querier) error {
		lost = lost[:0]
		var mails []*store.QueuedMail
		for i, c := range cs {
			ok, err := moveDigestCursor(ctx, q, c.State, c.Outcome)
			if err != nil {
				return err
			}
			if !ok {
				lost = append(lost, i)
				continue
			}
			mails = append(mails, c.Outcome.Mail...)
		}
		return insertMails(ctx, q, mails, time.Now())
	})
	if err != nil {
		return nil, wrap("commit digests", err)
	}
	return lost, nil
}

// insertMails queues mails with as few statements as the row bound
// allows; a mail's shared body is stored once and referenced.
func insertMails(ctx context.Context, q querier, mails []*store.QueuedMail, now time.Time) error {
	bodies, err := bodyIDs(ctx, q, mails, now.UnixMilli())
	if err != nil {
		return err
	}
	for len(mails) > 0 {
		n := min(len(mails), mailRowsPerInsert)
		var b strings.Builder
		b.WriteString(`INSERT INTO mailq (mail_from, rcpt, raw, body_id, next_attempt, created_at) VALUES `)
		args := make([]any, 0, 4*n+2)
		args = append(args, now.UnixMilli(), now.UnixMilli())
		for i, m := range mails[:n] {
			if i > 0 {
				b.WriteString(",")
			}
			k := len(args)
			b.WriteString("($" + strconv.Itoa(k+1) + ",$" + strconv.Itoa(k+2) + ",$" + strconv.Itoa(k+3) +
				",$" + strconv.Itoa(k+4) + ",$1,$2)")
			var body any
			if len(m.Shared) > 0 {
				body = bodies[&m.Shared[0]]
			}
			args = append(args, m.From, m.To, m.Raw, body)
		}
		if _, err := q.exec(ctx, b.String(), args...); err != nil {
			return err
		}
		mails = mails[n:]
	}
	return nil
}

// idList is "$k+1,$k+2,..." for ids after k other parameters, and the ids
// as arguments.
func idList(ids []int64, k int) (string, []any) {
	ps := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ps[i] = "$" + strconv.Itoa(k+i+1)
		args[i] = id
	}
	return strings.Join(ps, ","), args
}

// inIDOrder puts claimed rows back in claim order (oldest due first).
func inIDOrder(ids []int64, ds []*store.DigestState) []*store.DigestState {
	by := make(map[int64]*store.DigestState, len(ds))
	for _, d := range ds {
		by[d.MemberID] = d
	}
	out := make([]*store.DigestState, 0, len(ds))
	for _, id := range ids {
		if d := by[id]; d != nil {
			out = append(out, d)
		}
	}
	return out
}
