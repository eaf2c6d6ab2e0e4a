package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// mailRowsPerInsert bounds one multi-row INSERT into mailq (6 parameters
// a row, far below SQLite's and PostgreSQL's limits).
const mailRowsPerInsert = 500

// CommitDigests commits a batch in one transaction: every member's fenced
// cursor move (a statement per group of members with the same move: on
// PostgreSQL a statement per member was most of the queuing time, each a
// round trip), then the batch's digest jobs (a row per shared part) and
// any mail, each shared body stored once. A member whose claim was lost
// queues nothing and is released.
func (db *DB) CommitDigests(ctx context.Context, cs []store.DigestCommit) ([]int, error) {
	var lost []int
	err := db.d.tx(ctx, func(q querier) error {
		lost = lost[:0]
		var mails []*store.QueuedMail
		isLost := map[int]bool{}
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
				lost, isLost[start+i] = append(lost, start+i), true
				if err := releaseDigestClaim(ctx, q, c.State); err != nil {
					return err
				}
			}
		}
		now := time.Now()
		jobs := digestJobsOf(cs, func(i int) bool { return !isLost[i] })
		if err := insertDigestJobs(ctx, q, jobs, now); err != nil {
			return err
		}
		if err := insertMails(ctx, q, db.ph(), mails, now); err != nil {
			return err
		}
		if len(jobs) == 0 && len(mails) == 0 {
			return nil
		}
		return db.notifyWork(ctx, q) // other nodes, or serve when `digest send` ran elsewhere
	})
	if err != nil {
		return nil, wrap("commit digests", err)
	}
	return lost, nil
}

// movesPerStatement bounds the members of one cursor move statement.
const movesPerStatement = idsPerStatement

// moveDigestCursors moves a batch's cursors with one UPDATE per group of
// members whose fence and new state are the same (a digest run's batch
// is usually one group), each naming its members in an IN list, and
// returns the members whose fence held. The mode is checked with a
// correlated lookup by key: as an EXISTS, PostgreSQL hash-joined the
// whole roster for every batch. A statement per member, or a VALUES list
// of each member's ten values, was most of a digest run's queuing CPU.
// The members are found by key: "next_due + 0" keeps PostgreSQL off the
// due index, where `digest send --now` (every member due at one instant)
// had each batch walk the whole list's entries.
func moveDigestCursors(ctx context.Context, q querier, ph func(int) string, cs []store.DigestCommit) (map[int64]bool, error) {
	moved := make(map[int64]bool, len(cs))
	for _, g := range moveGroups(cs) {
		for start := 0; start < len(g.ids); start += movesPerStatement {
			ids := g.ids[start:min(len(g.ids), start+movesPerStatement)]
			n := len(g.args)
			var b strings.Builder
			b.WriteString(`UPDATE digest_members SET cursor_uid = ` + ph(1) + `, next_due = ` + ph(2) + `, final_upto = ` +
				ph(3) + `, last_sent = ` + ph(4) + `, owner = '', lease_until = 0 WHERE owner = ` + ph(5) +
				` AND lease_until = ` + ph(6) + ` AND next_due + 0 = ` + ph(7) + ` AND final_upto = ` + ph(8) +
				` AND (SELECT m.mode FROM members m WHERE m.id = digest_members.member_id) = ` + ph(9) + ` AND member_id IN (`)
			in, args := idList(ph, ids, n)
			b.WriteString(in)
			b.WriteString(`) RETURNING member_id`)
			rs, err := q.query(ctx, b.String(), append(append([]any{}, g.args...), args...)...)
			if err != nil {
				return nil, err
			}
			got, err := collect(rs, func(r row) (int64, error) { var id int64; return id, r.Scan(&id) })
			if err != nil {
				return nil, err
			}
			for _, id := range got {
				moved[id] = true
			}
		}
	}
	return moved, nil
}

// moveGroup is members with the same cursor move: cursorMove's values
// without the member id, and the members.
type moveGroup struct {
	args []any
	ids  []int64
}

func moveGroups(cs []store.DigestCommit) []*moveGroup {
	by := map[string]*moveGroup{}
	var out []*moveGroup
	for _, c := range cs {
		v := cursorMove(c.State, c.Outcome)
		// new cursor, next due, final, last sent; owner, lease, claimed due, claimed final, mode
		args := []any{v[0], v[1], v[2], v[3], v[5], v[6], v[7], v[8], v[9]}
		key := fmt.Sprintf("%v\x00%v\x00%v\x00%v\x00%v\x00%v\x00%v\x00%v\x00%v", args...)
		g := by[key]
		if g == nil {
			g = &moveGroup{args: args}
			by[key] = g
			out = append(out, g)
		}
		g.ids = append(g.ids, c.State.MemberID)
	}
	return out
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
