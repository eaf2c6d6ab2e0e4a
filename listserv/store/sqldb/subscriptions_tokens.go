package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// serialise makes concurrent transactions on the same key run one after
// the other. SQLite's immediate transactions already do; PostgreSQL takes a
// transaction-scoped advisory lock on the key's hash.
func (db *DB) serialise(ctx context.Context, q querier, key string) error {
	if db.d.name() != "postgres" {
		return nil
	}
	_, err := q.exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, key)
	return err
}

const subTokenCols = `hash, kind, address, list_id, data, created_at, expires_at, used_at`

func scanSubToken(r row) (*store.SubToken, error) {
	var t store.SubToken
	var c, e, u int64
	if err := r.Scan(&t.Hash, &t.Kind, &t.Address, &t.ListID, &t.Data, &c, &e, &u); err != nil {
		return nil, err
	}
	t.Created, t.Expires = time.UnixMilli(c), time.UnixMilli(e)
	if u > 0 {
		t.Used = time.UnixMilli(u)
	}
	return &t, nil
}

// CreateSubToken counts the address's recent tokens and inserts t, under
// a per-address lock, so a burst of form posts yields one token.
func (db *DB) CreateSubToken(ctx context.Context, t *store.SubToken, lim store.TokenLimits) error {
	if t.Created.IsZero() {
		t.Created = time.Now()
	}
	err := db.d.tx(ctx, func(q querier) error { return db.insertSubToken(ctx, q, t, lim) })
	return wrap("create sub token", err)
}

// insertSubToken stores t inside a transaction unless lim refuses it
// (ErrThrottled).
func (db *DB) insertSubToken(ctx context.Context, q querier, t *store.SubToken, lim store.TokenLimits) error {
	key := store.NormalizeAddress(t.Address)
	if err := db.serialise(ctx, q, "subtoken:"+key); err != nil {
		return err
	}
	var n int
	if lim.PerList > 0 {
		err := q.queryRow(ctx, `SELECT COUNT(*) FROM sub_tokens WHERE address_key = $1 AND kind = $2 AND list_id = $3
			AND created_at >= $4`, key, t.Kind, t.ListID, t.Created.Add(-lim.ListWindow).UnixMilli()).Scan(&n)
		if err != nil {
			return err
		}
		if n >= lim.PerList {
			return store.ErrThrottled
		}
	}
	if lim.PerAddress > 0 {
		err := q.queryRow(ctx, `SELECT COUNT(*) FROM sub_tokens WHERE address_key = $1 AND created_at >= $2`,
			key, t.Created.Add(-lim.AddressWindow).UnixMilli()).Scan(&n)
		if err != nil {
			return err
		}
		if n >= lim.PerAddress {
			return store.ErrThrottled
		}
	}
	_, err := q.exec(ctx, `INSERT INTO sub_tokens (hash, kind, address_key, address, list_id, data, created_at, expires_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, t.Hash, t.Kind, key, t.Address, t.ListID, t.Data,
		t.Created.UnixMilli(), t.Expires.UnixMilli())
	return err
}

// GetSubToken returns a token whatever its state.
func (db *DB) GetSubToken(ctx context.Context, hash string) (*store.SubToken, error) {
	t, err := scanSubToken(db.d.queryRow(ctx, `SELECT `+subTokenCols+` FROM sub_tokens WHERE hash = $1`, hash))
	return t, wrap("get sub token", err)
}

// ConsumeSubToken uses a token once: the conditional UPDATE decides races.
func (db *DB) ConsumeSubToken(ctx context.Context, hash string, now time.Time) (*store.SubToken, error) {
	n, err := db.d.exec(ctx, `UPDATE sub_tokens SET used_at = $1 WHERE hash = $2 AND used_at = 0 AND expires_at > $1`,
		now.UnixMilli(), hash)
	if err != nil {
		return nil, wrap("consume sub token", err)
	}
	if n == 0 {
		return nil, store.ErrNotFound
	}
	return db.GetSubToken(ctx, hash)
}

// Throttle counts key's hits in the window and records one more if allowed.
func (db *DB) Throttle(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error) {
	ok := false
	err := db.d.tx(ctx, func(q querier) error {
		if err := db.serialise(ctx, q, "throttle:"+key); err != nil {
			return err
		}
		var n int
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM throttle WHERE key = $1 AND at >= $2`,
			key, now.Add(-window).UnixMilli()).Scan(&n); err != nil {
			return err
		}
		if n >= limit {
			return nil
		}
		ok = true
		_, err := q.exec(ctx, `INSERT INTO throttle (key, at) VALUES ($1, $2)`, key, now.UnixMilli())
		return err
	})
	return ok, wrap("throttle", err)
}

// PruneSubscriptions drops old throttle hits and long-expired tokens.
func (db *DB) PruneSubscriptions(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `DELETE FROM throttle WHERE at < $1`, before.UnixMilli())
		if err != nil {
			return err
		}
		m, err := q.exec(ctx, `DELETE FROM sub_tokens WHERE expires_at < $1`, before.UnixMilli())
		total = n + m
		return err
	})
	return total, wrap("prune subscriptions", err)
}
