package sqldb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// audienceFilter is the member condition of a fan-out audience. Fan-out
// reaches only enabled members in "each" mode; digests go out separately.
func audienceFilter(audience string) string {
	if audience == "owners" {
		return ` AND role = 'owner'`
	}
	return ` AND mode = 'each' AND status = 'enabled'`
}

const chunkSelect = `SELECT c.id, c.fanout_id, f.message_id, f.list_id, f.audience, c.first_member, c.last_member,
	c.sent_upto, c.owner FROM chunks c JOIN fanouts f ON f.id = c.fanout_id `

func scanChunk(r row) (*store.Chunk, error) {
	var c store.Chunk
	err := r.Scan(&c.ID, &c.FanoutID, &c.MessageID, &c.ListID, &c.Audience, &c.First, &c.Last, &c.SentUpto, &c.Owner)
	return &c, err
}

// ClaimChunk takes over an expired lease first, so a dead node's work is
// finished before new work starts; otherwise it cuts a new slice.
func (db *DB) ClaimChunk(ctx context.Context, owner string, lease time.Duration, size int) (*store.Chunk, error) {
	now := time.Now()
	until := now.Add(lease).UnixMilli()
	c, err := db.takeExpiredChunk(ctx, owner, now.UnixMilli(), until)
	if !errors.Is(err, store.ErrNotFound) {
		return c, wrap("claim chunk", err)
	}
	c, err = db.cutChunk(ctx, owner, now.UnixMilli(), until, size)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.ErrNotFound
	}
	return c, wrap("cut chunk", err)
}

func (db *DB) takeExpiredChunk(ctx context.Context, owner string, now, until int64) (*store.Chunk, error) {
	var c *store.Chunk
	err := db.d.tx(ctx, func(q querier) error {
		var id int64
		err := q.queryRow(ctx, `SELECT id FROM chunks WHERE state = 'claimed' AND lease_until < $1
			ORDER BY id LIMIT 1`+db.d.skipLocked(), now).Scan(&id)
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE chunks SET owner = $1, lease_until = $2 WHERE id = $3`, owner, until, id); err != nil {
			return err
		}
		c, err = scanChunk(q.queryRow(ctx, chunkSelect+`WHERE c.id = $1`, id))
		return err
	})
	if c != nil {
		c.Taken = true
	}
	return c, err
}

func (db *DB) cutChunk(ctx context.Context, owner string, now, until int64, size int) (*store.Chunk, error) {
	var c *store.Chunk
	err := db.d.tx(ctx, func(q querier) error {
		for { // skip past fan-outs that turn out to be finished, cutting each
			var f store.Chunk
			var cursor int64
			err := q.queryRow(ctx, `SELECT id, message_id, list_id, audience, cursor FROM fanouts
				WHERE state = 'open' ORDER BY id LIMIT 1`+db.d.forUpdate()).Scan(&f.FanoutID, &f.MessageID, &f.ListID, &f.Audience, &cursor)
			if errors.Is(err, store.ErrNotFound) {
				// Commit, so the fan-outs just marked cut stay cut; an
				// error here would roll that back and leave them open.
				return nil
			}
			if err != nil {
				return err
			}
			var n int64
			err = q.queryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM (SELECT id FROM members
				WHERE list_id = $1 AND id > $2`+audienceFilter(f.Audience)+` ORDER BY id LIMIT $3) page`,
				f.ListID, cursor, size).Scan(&n, &f.First, &f.Last)
			if err != nil {
				return fmt.Errorf("page members: %w", err)
			}
			if n == 0 {
				if _, err := q.exec(ctx, `UPDATE fanouts SET state = 'cut' WHERE id = $1`, f.FanoutID); err != nil {
					return err
				}
				continue
			}
			f.Owner, f.SentUpto = owner, f.First-1
			err = q.queryRow(ctx, `INSERT INTO chunks (fanout_id, first_member, last_member, sent_upto, owner, lease_until, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, f.FanoutID, f.First, f.Last, f.SentUpto, owner, until, now).Scan(&f.ID)
			if err != nil {
				return fmt.Errorf("insert chunk: %w", err)
			}
			if _, err := q.exec(ctx, `UPDATE fanouts SET cursor = $1 WHERE id = $2`, f.Last, f.FanoutID); err != nil {
				return err
			}
			c = &f
			return nil
		}
	})
	if err == nil && c == nil {
		err = store.ErrNotFound
	}
	return c, err
}

// ChunkMembers returns the members after the chunk's checkpoint.
func (db *DB) ChunkMembers(ctx context.Context, c *store.Chunk) ([]*store.Member, error) {
	rs, err := db.d.query(ctx, `SELECT `+memberCols+` FROM members WHERE list_id = $1 AND id > $2 AND id <= $3`+
		audienceFilter(c.Audience)+` ORDER BY id`, c.ListID, c.SentUpto, c.Last)
	if err != nil {
		return nil, wrap("chunk members", err)
	}
	return collect(rs, scanMember)
}

// RenewChunk extends the lease and checkpoints c.SentUpto.
func (db *DB) RenewChunk(ctx context.Context, c *store.Chunk, lease time.Duration) error {
	n, err := db.d.exec(ctx, `UPDATE chunks SET lease_until = $1, sent_upto = $2 WHERE id = $3 AND owner = $4 AND state = 'claimed'`,
		time.Now().Add(lease).UnixMilli(), c.SentUpto, c.ID, c.Owner)
	if err == nil && n == 0 {
		err = store.ErrLeaseLost
	}
	return wrap("renew chunk", err)
}

// CheckpointChunk records progress mid-chunk.
func (db *DB) CheckpointChunk(ctx context.Context, c *store.Chunk, lease time.Duration, res store.ChunkResult) error {
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE chunks SET lease_until = $1, sent_upto = $2, sent = sent + $3
			WHERE id = $4 AND owner = $5 AND state = 'claimed'`, now.Add(lease).UnixMilli(), c.SentUpto, res.Sent, c.ID, c.Owner)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrLeaseLost
		}
		return fileFailures(ctx, q, res, now)
	})
	return wrap("checkpoint chunk", err)
}

func fileFailures(ctx context.Context, q querier, res store.ChunkResult, now time.Time) error {
	for i := range res.Failures {
		if err := fileFailure(ctx, q, &res.Failures[i], res.RetryAt, now); err != nil {
			return err
		}
	}
	return nil
}

// CompleteChunk marks a chunk done and files its failures.
func (db *DB) CompleteChunk(ctx context.Context, c *store.Chunk, res store.ChunkResult) error {
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE chunks SET state = 'done', sent_upto = last_member, sent = sent + $1, lease_until = 0
			WHERE id = $2 AND owner = $3 AND state = 'claimed'`, res.Sent, c.ID, c.Owner)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrLeaseLost
		}
		return fileFailures(ctx, q, res, now)
	})
	return wrap("complete chunk", err)
}

// fileFailure turns a temporary failure into a retry and records a
// permanent one against the member.
func fileFailure(ctx context.Context, q querier, f *store.Failure, retryAt, now time.Time) error {
	if !f.RetryAt.IsZero() {
		retryAt = f.RetryAt
	}
	if f.Temporary {
		_, err := q.exec(ctx, `INSERT INTO retries (message_id, member_id, attempts, next_attempt, last_error, first_failed)
			VALUES ($1, $2, 1, $3, $4, $5)`, f.MessageID, f.MemberID, retryAt.UnixMilli(), failureText(f), now.UnixMilli())
		return err
	}
	return recordFailure(ctx, q, f, now)
}

func recordFailure(ctx context.Context, q querier, f *store.Failure, now time.Time) error {
	var member, msg any
	if f.MemberID != 0 {
		member = f.MemberID
	}
	if f.MessageID != 0 {
		msg = f.MessageID
	}
	if _, err := q.exec(ctx, `INSERT INTO failures (member_id, message_id, rcpt, code, enhanced, text, at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, member, msg, f.Rcpt, f.Code, f.Enhanced, f.Text, now.UnixMilli()); err != nil {
		return err
	}
	if f.MemberID == 0 {
		return nil
	}
	_, err := q.exec(ctx, `UPDATE members SET bounce_score = bounce_score + 1 WHERE id = $1`, f.MemberID)
	return err
}

func failureText(f *store.Failure) string {
	return fmt.Sprintf("%d %s %s", f.Code, f.Enhanced, f.Text)
}
