package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// mailRowsPerInsert bounds one multi-row INSERT into mailq (6 parameters
// a row, far below SQLite's and PostgreSQL's limits).
const mailRowsPerInsert = 500

// CommitDigests commits a batch in one transaction: every member's fenced
// cursor move (one statement per 200 members: on PostgreSQL a statement
// per member was most of the queuing time, each a round trip), then all
// the batch's mail in multi-row INSERTs, each shared body stored once. A
// member whose claim was lost queues nothing and is released.
func (db *DB) CommitDigests(ctx context.Context, cs []store.DigestCommit) ([]int, error) {
	var lost []int
	err := db.d.tx(ctx, func(q querier) error {
		lost = lost[:0]
		var mails []*store.QueuedMail
		for start := 0; start < len(cs); start += movesPerStatement {
			part := cs[start:min(len(cs), start+movesPerStatement)]
			moved, err := moveDigestCursors(ctx, q, db.ph(), part)
			if err != nil {
				return err
			}
			for i, c := range part {
				if moved[c.State.MemberID] {
					mails = append(mails, c.Outcome.Mail...)
					continue
				}
				lost = append(lost, start+i)
				if err := releaseDigestClaim(ctx, q, c.State); err != nil {
					return err
				}
			}
		}
		return insertMails(ctx, q, db.ph(), mails, time.Now())
	})
	if err != nil {
		return nil, wrap("commit digests", err)
	}
	return lost, nil
}

// movesPerStatement bounds one batched cursor move (10 parameters a
// member).
const movesPerStatement = 200

// moveDigestCursors is moveDigestCursor for many members in one UPDATE
// ... FROM a VALUES list (both stores have it: SQLite since 3.33), and
// returns the members whose fence held. The mode is checked with a
// correlated lookup by key: as an EXISTS, PostgreSQL hash-joined the
// whole roster for every batch.
func moveDigestCursors(ctx context.Context, q querier, ph func(int) string, cs []store.DigestCommit) (map[int64]bool, error) {
	var b strings.Builder
	b.WriteString(`WITH v (cursor_uid, next_due, final_upto, last_sent, member_id, owner, lease_until, claimed_due,
		claimed_final, mode) AS (VALUES `)
	types := []string{"BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "TEXT", "BIGINT", "BIGINT", "BIGINT", "TEXT"}
	args := make([]any, 0, len(types)*len(cs))
	for i, c := range cs {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("(")
		for j, t := range types {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("CAST(" + ph(len(args)+j+1) + " AS " + t + ")")
		}
		b.WriteString(")")
		args = append(args, cursorMove(c.State, c.Outcome)...)
	}
	b.WriteString(`) UPDATE digest_members SET cursor_uid = v.cursor_uid, next_due = v.next_due, final_upto = v.final_upto,
		last_sent = v.last_sent, owner = '', lease_until = 0
		FROM v WHERE digest_members.member_id = v.member_id AND digest_members.owner = v.owner
		AND digest_members.lease_until = v.lease_until AND digest_members.next_due = v.claimed_due
		AND digest_members.final_upto = v.claimed_final
		AND (SELECT m.mode FROM members m WHERE m.id = v.member_id) = v.mode
		RETURNING digest_members.member_id`)
	rs, err := q.query(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	ids, err := collect(rs, func(r row) (int64, error) { var id int64; return id, r.Scan(&id) })
	moved := make(map[int64]bool, len(ids))
	for _, id := range ids {
		moved[id] = true
	}
	return moved, err
}

// insertMails queues mails with as few statements as the row bound
// allows; a mail's shared body is stored once and referenced.
func insertMails(ctx context.Context, q querier, ph func(int) string, mails []*store.QueuedMail, now time.Time) error {
	bodies, err := bodyIDs(ctx, q, mails, now.UnixMilli())
	if err != nil {
		return err
	}
	for len(mails) > 0 {
		n := min(len(mails), mailRowsPerInsert)
		var b strings.Builder
		b.WriteString(`INSERT INTO mailq (mail_from, rcpt, raw, body_id, next_attempt, created_at) VALUES `)
		args := make([]any, 0, 6*n)
		for i, m := range mails[:n] {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("(")
			for j := range 6 {
				if j > 0 {
					b.WriteString(",")
				}
				b.WriteString(ph(len(args) + j + 1))
			}
			b.WriteString(")")
			var body any
			if len(m.Shared) > 0 {
				body = bodies[&m.Shared[0]]
			}
			args = append(args, m.From, m.To, m.Raw, body, now.UnixMilli(), now.UnixMilli())
		}
		if _, err := q.exec(ctx, b.String(), args...); err != nil {
			return err
		}
		mails = mails[n:]
	}
	return nil
}

// idList is the placeholders for ids after k other parameters, and the
// ids as arguments.
func idList(ph func(int) string, ids []int64, k int) (string, []any) {
	ps := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ps[i] = ph(k + i + 1)
		args[i] = id
	}
	return strings.Join(ps, ","), args
}

// ph is the dialect's placeholder for the n-th parameter of a statement
// built at run time: $n on PostgreSQL, ? on SQLite, whose parser and
// whose driver's binding look every "$n" up in a list (quadratic in a
// bulk statement's parameters: most of a digest commit's CPU). With ?,
// arguments go in the order their placeholders appear; a ? after $1..$k
// is number k+1.
func (db *DB) ph() func(int) string {
	if db.d.name() == "sqlite" {
		return sqlitePlaceholder
	}
	return pgPlaceholder
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
