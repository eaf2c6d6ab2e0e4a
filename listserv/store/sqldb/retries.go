package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// claimIDs leases up to limit due rows of table to owner and returns their
// ids, oldest due first: one ordered walk of the (next_attempt, id) index
// and one UPDATE for the batch.
func (db *DB) claimIDs(ctx context.Context, q querier, table, owner string, now, until int64, limit int) ([]int64, error) {
	rs, err := q.query(ctx, `SELECT id FROM `+table+` WHERE next_attempt <= $1 AND lease_until < $2
		ORDER BY next_attempt, id LIMIT $3`+db.d.skipLocked(), now, now, limit)
	if err != nil {
		return nil, err
	}
	ids, err := collect(rs, func(r row) (int64, error) { var id int64; return id, r.Scan(&id) })
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	in, args := idList(db.ph(), ids, 2)
	if _, err := q.exec(ctx, `UPDATE `+table+` SET owner = $1, lease_until = $2 WHERE id IN (`+in+`)`,
		append([]any{owner, until}, args...)...); err != nil {
		return nil, err
	}
	return ids, nil
}

// ClaimRetries leases due retries.
func (db *DB) ClaimRetries(ctx context.Context, owner string, lease time.Duration, limit int) ([]*store.Retry, error) {
	now := time.Now()
	var out []*store.Retry
	err := db.d.tx(ctx, func(q querier) error {
		ids, err := db.claimIDs(ctx, q, "retries", owner, now.UnixMilli(), now.Add(lease).UnixMilli(), limit)
		if err != nil {
			return err
		}
		for _, id := range ids {
			r := &store.Retry{ID: id, Owner: owner}
			var first int64
			if err := q.queryRow(ctx, `SELECT message_id, member_id, attempts, first_failed FROM retries WHERE id = $1`, id).
				Scan(&r.MessageID, &r.MemberID, &r.Attempts, &first); err != nil {
				return err
			}
			r.FirstFailed = time.UnixMilli(first)
			out = append(out, r)
		}
		return nil
	})
	return out, wrap("claim retries", err)
}

// FinishRetry deletes a delivered retry, reschedules a temporary failure, or
// records a permanent one.
func (db *DB) FinishRetry(ctx context.Context, r *store.Retry, f *store.Failure, next time.Time) error {
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		if f != nil && f.Temporary {
			_, err := q.exec(ctx, `UPDATE retries SET attempts = attempts + 1, next_attempt = $1, last_error = $2,
				lease_until = 0 WHERE id = $3 AND owner = $4`, next.UnixMilli(), failureText(f), r.ID, r.Owner)
			return err
		}
		n, err := q.exec(ctx, `DELETE FROM retries WHERE id = $1 AND owner = $2`, r.ID, r.Owner)
		if err != nil || n == 0 || f == nil {
			return err
		}
		return recordFailure(ctx, q, f, now)
	})
	return wrap("finish retry", err)
}

// EnqueueMail queues one message the server sends itself.
func (db *DB) EnqueueMail(ctx context.Context, m *store.QueuedMail) error {
	return wrap("enqueue mail", enqueueMail(ctx, db.d, m))
}

func enqueueMail(ctx context.Context, q querier, m *store.QueuedMail) error {
	return enqueueAll(ctx, q, []*store.QueuedMail{m}, time.Now())
}

// ClaimMail leases due queued mail, oldest first.
func (db *DB) ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]*store.QueuedMail, error) {
	now := time.Now()
	var out []*store.QueuedMail
	err := db.d.tx(ctx, func(q querier) error {
		ids, err := db.claimIDs(ctx, q, "mailq", owner, now.UnixMilli(), now.Add(lease).UnixMilli(), limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		in, args := idList(db.ph(), ids, 0)
		rs, err := q.query(ctx, `SELECT id, mail_from, rcpt, raw, attempts, created_at, COALESCE(body_id, 0)
			FROM mailq WHERE id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		ms, err := collect(rs, func(r row) (*store.QueuedMail, error) {
			m := &store.QueuedMail{Owner: owner}
			var created int64
			err := r.Scan(&m.ID, &m.From, &m.To, &m.Raw, &m.Attempts, &created, &m.SharedID)
			m.CreatedAt = time.UnixMilli(created)
			return m, err
		})
		out = mailInIDOrder(ids, ms)
		return err
	})
	return out, wrap("claim mail", err)
}

// FinishMail deletes sent mail, reschedules a temporary failure, or records
// a permanent one.
func (db *DB) FinishMail(ctx context.Context, m *store.QueuedMail, f *store.Failure, next time.Time) error {
	return db.FinishMails(ctx, []store.MailResult{{Mail: m, Failure: f, Next: next}})
}

// ListFailures returns the permanent failures recorded against a member.
func (db *DB) ListFailures(ctx context.Context, memberID int64) ([]*store.Failure, error) {
	rs, err := db.d.query(ctx, `SELECT COALESCE(member_id, 0), COALESCE(message_id, 0), rcpt, code, enhanced, text, at
		FROM failures WHERE member_id = $1 ORDER BY id`, memberID)
	if err != nil {
		return nil, wrap("list failures", err)
	}
	return collect(rs, func(r row) (*store.Failure, error) {
		var f store.Failure
		var at int64
		err := r.Scan(&f.MemberID, &f.MessageID, &f.Rcpt, &f.Code, &f.Enhanced, &f.Text, &at)
		f.At = time.UnixMilli(at)
		return &f, err
	})
}

// Pending counts outstanding work.
func (db *DB) Pending(ctx context.Context) (store.QueueStats, error) {
	var s store.QueueStats
	var of, or, om, od int64
	err := db.d.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM fanouts WHERE state = 'open'),
		(SELECT COUNT(*) FROM chunks WHERE state = 'claimed'),
		(SELECT COUNT(*) FROM retries),
		(SELECT COUNT(*) FROM mailq),
		(SELECT COUNT(*) FROM digest_jobs),
		(SELECT COALESCE(MIN(created_at), 0) FROM fanouts WHERE state = 'open'),
		(SELECT COALESCE(MIN(first_failed), 0) FROM retries),
		(SELECT COALESCE(MIN(created_at), 0) FROM mailq),
		(SELECT COALESCE(MIN(created_at), 0) FROM digest_jobs)`).Scan(&s.OpenFanouts, &s.Chunks, &s.Retries, &s.Mail,
		&s.DigestJobs, &of, &or, &om, &od)
	s.OldestFanout, s.OldestRetry, s.OldestMail, s.OldestDigest = msTime(of), msTime(or), msTime(om), msTime(od)
	return s, wrap("pending", err)
}

// msTime is a stored millisecond time, or the zero time for 0.
func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
