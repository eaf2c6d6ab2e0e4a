package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ClaimInbox leases new admin mail, oldest first.
func (db *DB) ClaimInbox(ctx context.Context, owner string, lease time.Duration, limit int) ([]*store.InboxItem, error) {
	now := time.Now()
	var out []*store.InboxItem
	err := db.d.tx(ctx, func(q querier) error {
		rs, err := q.query(ctx, `SELECT id FROM inbox WHERE state = 'new' AND lease_until < $1 AND next_attempt <= $1 ORDER BY id LIMIT $2`+
			db.d.skipLocked(), now.UnixMilli(), limit)
		if err != nil {
			return err
		}
		ids, err := collect(rs, func(r row) (int64, error) { var id int64; return id, r.Scan(&id) })
		if err != nil {
			return err
		}
		for _, id := range ids {
			it := &store.InboxItem{ID: id, Owner: owner}
			if _, err := q.exec(ctx, `UPDATE inbox SET owner = $1, lease_until = $2 WHERE id = $3`,
				owner, now.Add(lease).UnixMilli(), id); err != nil {
				return err
			}
			if err := q.queryRow(ctx, `SELECT list_id, kind, token, envelope_from, raw, attempts FROM inbox WHERE id = $1`, id).
				Scan(&it.ListID, &it.Kind, &it.Token, &it.EnvelopeFrom, &it.Raw, &it.Attempts); err != nil {
				return err
			}
			out = append(out, it)
		}
		return nil
	})
	return out, wrap("claim inbox", err)
}

// FinishInbox records what became of an item.
func (db *DB) FinishInbox(ctx context.Context, it *store.InboxItem, state, note string) error {
	n, err := db.d.exec(ctx, `UPDATE inbox SET state = $1, note = $2, lease_until = 0 WHERE id = $3 AND owner = $4 AND state = 'new'`,
		state, note, it.ID, it.Owner)
	if err == nil && n == 0 {
		err = store.ErrLeaseLost
	}
	return wrap("finish inbox", err)
}

// RetryInbox puts a leased item back for another attempt at next.
func (db *DB) RetryInbox(ctx context.Context, it *store.InboxItem, next time.Time, note string) error {
	n, err := db.d.exec(ctx, `UPDATE inbox SET attempts = attempts + 1, next_attempt = $1, note = $2, lease_until = 0
		WHERE id = $3 AND owner = $4 AND state = 'new'`, next.UnixMilli(), note, it.ID, it.Owner)
	if err == nil && n == 0 {
		err = store.ErrLeaseLost
	}
	return wrap("retry inbox", err)
}

// GetInbox returns one item with its outcome so far.
func (db *DB) GetInbox(ctx context.Context, id int64) (*store.InboxItem, error) {
	it := &store.InboxItem{ID: id}
	var next int64
	err := db.d.queryRow(ctx, `SELECT list_id, kind, token, envelope_from, raw, owner, attempts, next_attempt, state, note
		FROM inbox WHERE id = $1`, id).Scan(&it.ListID, &it.Kind, &it.Token, &it.EnvelopeFrom, &it.Raw, &it.Owner,
		&it.Attempts, &next, &it.State, &it.Note)
	if next > 0 {
		it.NextAttempt = time.UnixMilli(next)
	}
	return it, wrap("get inbox", err)
}

// HoldSubscription queues a subscription request for a moderator.
func (db *DB) HoldSubscription(ctx context.Context, listID int64, m store.NewMember, reason string) (*store.Held, error) {
	data, err := json.Marshal(withDefaults(m))
	if err != nil {
		return nil, err
	}
	var id int64
	err = db.d.queryRow(ctx, `INSERT INTO held (list_id, kind, reason, data, subject, from_addr, created_at)
		VALUES ($1, 'subscription', $2, $3, $4, $5, $6) RETURNING id`, listID, reason, string(data),
		"Subscription request from "+m.Address, store.NormalizeAddress(m.Address), time.Now().UnixMilli()).Scan(&id)
	if err != nil {
		return nil, wrap("hold subscription", err)
	}
	return db.GetHeld(ctx, id)
}

// resolveSubscription adds the member when a held request is approved.
func resolveSubscription(ctx context.Context, q querier, listID int64, action store.HeldAction, data string, now time.Time) error {
	if action != store.Approve {
		return nil
	}
	var m store.NewMember
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return fmt.Errorf("held subscription data: %w", err)
	}
	_, err := insertMembersMultiRow(ctx, q, listID, []store.NewMember{m}, now.UnixMilli(), pgPlaceholder)
	return err
}
