package sqldb

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// MailBody loads a shared body.
func (db *DB) MailBody(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	err := db.d.queryRow(ctx, `SELECT body FROM mail_bodies WHERE id = $1`, id).Scan(&b)
	return b, wrap("mail body", err)
}

// putBody stores a shared body once by content and returns its id. On a
// body already stored it refreshes created_at (and on PostgreSQL locks the
// row until commit), so SweepMailBodies cannot take it from under the
// mail this transaction queues.
func putBody(ctx context.Context, q querier, body []byte, now int64) (int64, error) {
	h := sha256.Sum256(body)
	var id int64
	err := q.queryRow(ctx, `INSERT INTO mail_bodies (hash, body, created_at) VALUES ($1,$2,$3)
		ON CONFLICT (hash) DO UPDATE SET created_at = excluded.created_at RETURNING id`, h[:], body, now).Scan(&id)
	return id, err
}

// bodyIDs stores each distinct shared body of mails once (mails rendered
// from one body share its slice, so each is hashed once).
func bodyIDs(ctx context.Context, q querier, mails []*store.QueuedMail, now int64) (map[*byte]int64, error) {
	ids := map[*byte]int64{}
	for _, m := range mails {
		if len(m.Shared) == 0 {
			continue
		}
		k := &m.Shared[0]
		if _, ok := ids[k]; ok {
			continue
		}
		id, err := putBody(ctx, q, m.Shared, now)
		if err != nil {
			return nil, err
		}
		ids[k] = id
	}
	return ids, nil
}

// enqueueAll queues mails one by one, setting their IDs.
func enqueueAll(ctx context.Context, q querier, mails []*store.QueuedMail, now time.Time) error {
	bodies, err := bodyIDs(ctx, q, mails, now.UnixMilli())
	if err != nil {
		return err
	}
	for _, m := range mails {
		var body any
		if len(m.Shared) > 0 {
			body = bodies[&m.Shared[0]]
		}
		if err := q.queryRow(ctx, `INSERT INTO mailq (mail_from, rcpt, raw, body_id, next_attempt, created_at)
			VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, m.From, m.To, m.Raw, body, now.UnixMilli(), now.UnixMilli()).Scan(&m.ID); err != nil {
			return err
		}
	}
	return nil
}

// FinishMails records a claimed batch in one transaction: the sent and
// the skipped rows in one statement each, failures one by one.
func (db *DB) FinishMails(ctx context.Context, rs []store.MailResult) error {
	if len(rs) == 0 {
		return nil
	}
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		sent, skipped := map[string][]int64{}, map[string][]int64{}
		for _, r := range rs {
			m, f := r.Mail, r.Failure
			switch {
			case r.Skipped:
				skipped[m.Owner] = append(skipped[m.Owner], m.ID)
			case f == nil:
				sent[m.Owner] = append(sent[m.Owner], m.ID)
			case f.Temporary:
				if _, err := q.exec(ctx, `UPDATE mailq SET attempts = attempts + 1, next_attempt = $1, last_error = $2,
					lease_until = 0 WHERE id = $3 AND owner = $4`, r.Next.UnixMilli(), failureText(f), m.ID, m.Owner); err != nil {
					return err
				}
			default:
				n, err := q.exec(ctx, `DELETE FROM mailq WHERE id = $1 AND owner = $2`, m.ID, m.Owner)
				if err != nil {
					return err
				}
				if n == 1 {
					if err := recordFailure(ctx, q, f, now); err != nil {
						return err
					}
				}
			}
		}
		if err := byOwner(ctx, q, db.ph(), `DELETE FROM mailq`, sent); err != nil {
			return err
		}
		return byOwner(ctx, q, db.ph(), `UPDATE mailq SET lease_until = 0`, skipped)
	})
	return wrap("finish mail", err)
}

// byOwner runs stmt (a DELETE or UPDATE of mailq) on each owner's ids
// that the owner still holds.
func byOwner(ctx context.Context, q querier, ph func(int) string, stmt string, ids map[string][]int64) error {
	for owner, all := range ids {
		for len(all) > 0 {
			n := min(len(all), idsPerStatement)
			in, args := idList(ph, all[:n], 1)
			if _, err := q.exec(ctx, stmt+` WHERE owner = $1 AND id IN (`+in+`)`, append([]any{owner}, args...)...); err != nil {
				return err
			}
			all = all[n:]
		}
	}
	return nil
}

// idsPerStatement bounds an IN list (far below both stores' parameter
// limits).
const idsPerStatement = 500

// SweepMailBodies deletes old bodies no queued mail or digest job uses.
func (db *DB) SweepMailBodies(ctx context.Context, before time.Time) (int64, error) {
	n, err := db.d.exec(ctx, `DELETE FROM mail_bodies WHERE created_at < $1
		AND NOT EXISTS (SELECT 1 FROM mailq WHERE mailq.body_id = mail_bodies.id)
		AND NOT EXISTS (SELECT 1 FROM digest_jobs j WHERE j.body_id = mail_bodies.id)`, before.UnixMilli())
	return n, wrap("sweep mail bodies", err)
}

// mailInIDOrder puts claimed mail back in claim order.
func mailInIDOrder(ids []int64, ms []*store.QueuedMail) []*store.QueuedMail {
	by := make(map[int64]*store.QueuedMail, len(ms))
	for _, m := range ms {
		by[m.ID] = m
	}
	out := make([]*store.QueuedMail, 0, len(ms))
	for _, id := range ids {
		if m := by[id]; m != nil {
			out = append(out, m)
		}
	}
	return out
}
