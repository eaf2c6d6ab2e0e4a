package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// CreateToken stores a token hash.
func (db *DB) CreateToken(ctx context.Context, t *store.Token) error {
	if t.Created.IsZero() {
		t.Created = time.Now()
	}
	_, err := db.d.exec(ctx, `INSERT INTO login_tokens (hash, address, purpose, data, created_at, expires_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, t.Hash, store.NormalizeAddress(t.Address), t.Purpose, t.Data,
		t.Created.UnixMilli(), t.Expires.UnixMilli())
	return wrap("create token", err)
}

const tokenCols = `hash, address, purpose, data, created_at, expires_at, used_at`

func scanToken(r row) (*store.Token, error) {
	var t store.Token
	var c, e, u int64
	if err := r.Scan(&t.Hash, &t.Address, &t.Purpose, &t.Data, &c, &e, &u); err != nil {
		return nil, err
	}
	t.Created, t.Expires = time.UnixMilli(c), time.UnixMilli(e)
	if u > 0 {
		t.Used = time.UnixMilli(u)
	}
	return &t, nil
}

// ConsumeToken uses a token once: the conditional UPDATE decides races.
func (db *DB) ConsumeToken(ctx context.Context, hash, purpose string, now time.Time) (*store.Token, error) {
	t, err := consumeToken(ctx, db.d, hash, purpose, now)
	return t, wrap("consume token", err)
}

func consumeToken(ctx context.Context, q querier, hash, purpose string, now time.Time) (*store.Token, error) {
	n, err := q.exec(ctx, `UPDATE login_tokens SET used_at = $1 WHERE hash = $2 AND purpose = $3
		AND used_at = 0 AND expires_at > $4`, now.UnixMilli(), hash, purpose, now.UnixMilli())
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, store.ErrNotFound
	}
	return scanToken(q.queryRow(ctx, `SELECT `+tokenCols+` FROM login_tokens WHERE hash = $1`, hash))
}

// RedeemLogin uses a login token and opens the session together.
func (db *DB) RedeemLogin(ctx context.Context, tokenHash, sessionHash string, now, expires time.Time) (*store.Token, error) {
	var t *store.Token
	err := db.d.tx(ctx, func(q querier) error {
		var err error
		if t, err = consumeToken(ctx, q, tokenHash, "login", now); err != nil {
			return err
		}
		return createSession(ctx, q, sessionHash, t.Address, now, expires)
	})
	if err != nil {
		return nil, wrap("redeem login", err)
	}
	return t, nil
}

// PeekToken returns a usable token without using it.
func (db *DB) PeekToken(ctx context.Context, hash, purpose string, now time.Time) (*store.Token, error) {
	t, err := scanToken(db.d.queryRow(ctx, `SELECT `+tokenCols+` FROM login_tokens WHERE hash = $1 AND purpose = $2
		AND used_at = 0 AND expires_at > $3`, hash, purpose, now.UnixMilli()))
	return t, wrap("peek token", err)
}

// CountTokens counts recent tokens (throttling).
func (db *DB) CountTokens(ctx context.Context, address, purpose string, since time.Time) (int, error) {
	var n int
	err := db.d.queryRow(ctx, `SELECT COUNT(*) FROM login_tokens WHERE address = $1 AND purpose = $2 AND created_at >= $3`,
		store.NormalizeAddress(address), purpose, since.UnixMilli()).Scan(&n)
	return n, wrap("count tokens", err)
}

// CreateSession stores a session hash.
func (db *DB) CreateSession(ctx context.Context, hash, address string, expires time.Time) error {
	return wrap("create session", createSession(ctx, db.d, hash, address, time.Now(), expires))
}

func createSession(ctx context.Context, q querier, hash, address string, now, expires time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO sessions (hash, address, created_at, expires_at) VALUES ($1,$2,$3,$4)`,
		hash, store.NormalizeAddress(address), now.UnixMilli(), expires.UnixMilli())
	return err
}

// GetSession returns the signed-in address of a live session.
func (db *DB) GetSession(ctx context.Context, hash string, now time.Time) (string, error) {
	var a string
	err := db.d.queryRow(ctx, `SELECT address FROM sessions WHERE hash = $1 AND expires_at > $2`, hash, now.UnixMilli()).Scan(&a)
	return a, wrap("get session", err)
}

// DeleteSession signs out.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.d.exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
	return wrap("delete session", err)
}

// Memberships lists an address's subscriptions on every list.
func (db *DB) Memberships(ctx context.Context, address string) ([]*store.Member, error) {
	rs, err := db.d.query(ctx, `SELECT `+memberCols+` FROM members WHERE address_key = $1 ORDER BY list_id`,
		store.NormalizeAddress(address))
	if err != nil {
		return nil, wrap("memberships", err)
	}
	return collect(rs, scanMember)
}

// AddAudit records an action.
func (db *DB) AddAudit(ctx context.Context, a *store.Audit) error {
	return wrap("audit", addAudit(ctx, db.d, a))
}

func addAudit(ctx context.Context, q querier, a *store.Audit) error {
	if a.At.IsZero() {
		a.At = time.Now()
	}
	var list any
	if a.ListID != 0 {
		list = a.ListID
	}
	return q.queryRow(ctx, `INSERT INTO audit (at, actor, action, list_id, target, detail) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
		a.At.UnixMilli(), a.Actor, a.Action, list, a.Target, a.Detail).Scan(&a.ID)
}

// ListAudit pages a list's audit log, newest first.
func (db *DB) ListAudit(ctx context.Context, listID, before int64, limit int) ([]*store.Audit, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rs, err := db.d.query(ctx, `SELECT id, at, actor, action, COALESCE(list_id, 0), target, detail FROM audit
		WHERE list_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, listID, before, limit)
	if err != nil {
		return nil, wrap("list audit", err)
	}
	return collect(rs, func(r row) (*store.Audit, error) {
		var a store.Audit
		var at int64
		err := r.Scan(&a.ID, &at, &a.Actor, &a.Action, &a.ListID, &a.Target, &a.Detail)
		a.At = time.UnixMilli(at)
		return &a, err
	})
}
