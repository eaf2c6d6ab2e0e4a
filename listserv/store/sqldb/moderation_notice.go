package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// UnnotifiedHeld returns pending items without a held_notices row. The
// pending set is small (the partial index held_pending), so the anti-join
// stays cheap even when polled every second.
func (db *DB) UnnotifiedHeld(ctx context.Context, limit int) ([]*store.Held, error) {
	rs, err := db.d.query(ctx, heldSelect+`WHERE h.state = 'pending'
		AND NOT EXISTS (SELECT 1 FROM held_notices n WHERE n.held_id = h.id) ORDER BY h.id LIMIT $1`, limit)
	if err != nil {
		return nil, wrap("unnotified held", err)
	}
	return collect(rs, scanHeld)
}

// SaveHeldNotice marks the item notified, stores its tokens and queues its
// mail in one transaction. The marker's primary key decides between nodes:
// a second caller inserts nothing and queues nothing.
func (db *DB) SaveHeldNotice(ctx context.Context, n *store.HeldNotice) error {
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		ins, err := q.exec(ctx, `INSERT INTO held_notices (held_id, created_at) VALUES ($1, $2) ON CONFLICT (held_id) DO NOTHING`,
			n.HeldID, now.UnixMilli())
		if err != nil {
			return err
		}
		if ins == 0 {
			return store.ErrAlreadyHandled
		}
		for _, t := range n.Tokens {
			if t.Created.IsZero() {
				t.Created = now
			}
			if _, err := q.exec(ctx, `INSERT INTO moderation_tokens (hash, held_id, list_id, address, created_at, expires_at)
				VALUES ($1,$2,$3,$4,$5,$6)`, t.Hash, t.HeldID, t.ListID, store.NormalizeAddress(t.Address),
				t.Created.UnixMilli(), t.Expires.UnixMilli()); err != nil {
				return err
			}
		}
		for _, m := range n.Mails {
			if err := enqueueIn(ctx, q, m, now); err != nil {
				return err
			}
		}
		if n.OnceKey != "" && n.OnceMail != nil {
			_, err := enqueueOnceIn(ctx, q, n.OnceKey, []*store.QueuedMail{n.OnceMail}, now)
			return err
		}
		return nil
	})
	return wrap("save held notice", err)
}

// enqueueIn is EnqueueMail inside a transaction.
func enqueueIn(ctx context.Context, q querier, m *store.QueuedMail, now time.Time) error {
	return enqueueAll(ctx, q, []*store.QueuedMail{m}, now)
}

func enqueueOnceIn(ctx context.Context, q querier, key string, mails []*store.QueuedMail, now time.Time) (bool, error) {
	n, err := q.exec(ctx, `INSERT INTO moderation_once (key, created_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		key, now.UnixMilli())
	if err != nil || n == 0 {
		return false, err
	}
	for _, m := range mails {
		if err := enqueueIn(ctx, q, m, now); err != nil {
			return false, err
		}
	}
	return true, nil
}

// EnqueueOnce queues mails the first time key is seen.
func (db *DB) EnqueueOnce(ctx context.Context, key string, mails ...*store.QueuedMail) (bool, error) {
	var queued bool
	err := db.d.tx(ctx, func(q querier) error {
		var err error
		queued, err = enqueueOnceIn(ctx, q, key, mails, time.Now())
		return err
	})
	return queued, wrap("enqueue once", err)
}

// ForgetOnce drops old keys (their period is over).
func (db *DB) ForgetOnce(ctx context.Context, before time.Time) (int64, error) {
	n, err := db.d.exec(ctx, `DELETE FROM moderation_once WHERE created_at < $1`, before.UnixMilli())
	return n, wrap("forget once", err)
}

const modTokenCols = `hash, held_id, list_id, address, created_at, expires_at, used_at`

// PeekModerationToken returns a usable token without using it.
func (db *DB) PeekModerationToken(ctx context.Context, hash string, now time.Time) (*store.ModerationToken, error) {
	var t store.ModerationToken
	var c, e, u int64
	err := db.d.queryRow(ctx, `SELECT `+modTokenCols+` FROM moderation_tokens WHERE hash = $1 AND used_at = 0 AND expires_at > $2`,
		hash, now.UnixMilli()).Scan(&t.Hash, &t.HeldID, &t.ListID, &t.Address, &c, &e, &u)
	if err != nil {
		return nil, wrap("peek moderation token", err)
	}
	t.Created, t.Expires = time.UnixMilli(c), time.UnixMilli(e)
	return &t, nil
}

// UseModerationToken uses a token once: the conditional UPDATE decides.
func (db *DB) UseModerationToken(ctx context.Context, hash string, now time.Time) error {
	n, err := db.d.exec(ctx, `UPDATE moderation_tokens SET used_at = $1 WHERE hash = $2 AND used_at = 0 AND expires_at > $3`,
		now.UnixMilli(), hash, now.UnixMilli())
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return wrap("use moderation token", err)
}
