package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

const bounceScoreSQL = `COALESCE((SELECT SUM(CASE WHEN e.class = 'permanent' THEN 1.0 ELSE 0.5 END)
	FROM bounce_events e WHERE e.member_id = members.id), 0)`

// RecordBounce counts a bounce, expires the member's old ones, and stores
// the score and (past the threshold) the disabled status in one
// transaction, with the member's row locked so concurrent bounces add up.
func (db *DB) RecordBounce(ctx context.Context, b store.BounceEvent) (*store.BounceOutcome, error) {
	out := &store.BounceOutcome{}
	class := "temporary"
	if b.Permanent {
		class = "permanent"
	}
	at := b.At.UnixMilli()
	err := db.d.tx(ctx, func(q querier) error {
		// Lock the member (PostgreSQL) so concurrent bounces score in turn.
		if _, err := scanMember(q.queryRow(ctx, `SELECT `+memberCols+` FROM members WHERE id = $1`+db.d.forUpdate(), b.MemberID)); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `DELETE FROM bounce_events WHERE member_id = $1 AND at < $2`,
			b.MemberID, b.At.Add(-b.Window).UnixMilli()); err != nil {
			return err
		}
		n, err := q.exec(ctx, `INSERT INTO bounce_events (member_id, class, day, at, message_id) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (member_id, class, day) DO NOTHING`, b.MemberID, class, b.At.UTC().Unix()/86400, at, b.MessageID)
		if err != nil {
			return err
		}
		out.Counted = n > 0
		if _, err := q.exec(ctx, `UPDATE members SET bounce_score = `+bounceScoreSQL+` WHERE id = $1`, b.MemberID); err != nil {
			return err
		}
		m, err := scanMember(q.queryRow(ctx, `SELECT `+memberCols+` FROM members WHERE id = $1`, b.MemberID))
		if err != nil {
			return err
		}
		if m.Status == store.StatusEnabled && m.BounceScore >= b.Threshold {
			if _, err := q.exec(ctx, `UPDATE members SET status = $1 WHERE id = $2`, store.StatusDisabledBounces, b.MemberID); err != nil {
				return err
			}
			m.Status, out.Disabled = store.StatusDisabledBounces, true
		}
		out.Member = m
		return nil
	})
	return out, wrap("record bounce", err)
}

// EnableDelivery re-enables a member and clears their score.
func (db *DB) EnableDelivery(ctx context.Context, memberID int64) (*store.Member, error) {
	var m *store.Member
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE members SET status = $1, bounce_score = 0 WHERE id = $2`, store.StatusEnabled, memberID)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		if _, err := q.exec(ctx, `DELETE FROM bounce_events WHERE member_id = $1`, memberID); err != nil {
			return err
		}
		m, err = scanMember(q.queryRow(ctx, `SELECT `+memberCols+` FROM members WHERE id = $1`, memberID))
		return err
	})
	return m, wrap("enable delivery", err)
}

// ExpireBounces deletes bounces before cutoff and recomputes the scores
// of the members who had them.
func (db *DB) ExpireBounces(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := db.d.tx(ctx, func(q querier) error {
		c := cutoff.UnixMilli()
		var err error
		n, err = q.exec(ctx, `UPDATE members SET bounce_score = COALESCE((SELECT SUM(CASE WHEN e.class = 'permanent' THEN 1.0 ELSE 0.5 END)
			FROM bounce_events e WHERE e.member_id = members.id AND e.at >= $1), 0)
			WHERE id IN (SELECT member_id FROM bounce_events WHERE at < $1)`, c)
		if err != nil {
			return err
		}
		_, err = q.exec(ctx, `DELETE FROM bounce_events WHERE at < $1`, c)
		return err
	})
	return int(n), wrap("expire bounces", err)
}
