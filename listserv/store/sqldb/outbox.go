package sqldb

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// CaptureCopies stores captured copies in one transaction.
func (db *DB) CaptureCopies(ctx context.Context, cs []*store.Captured) error {
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		for _, c := range cs {
			var msg any
			if c.MessageID != 0 {
				msg = c.MessageID
			}
			c.Created = now
			if err := q.queryRow(ctx, `INSERT INTO outbox (message_id, mail_from, rcpt, raw, created_at)
				VALUES ($1,$2,$3,$4,$5) RETURNING id`, msg, c.From, c.To, c.Raw, now.UnixMilli()).Scan(&c.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("capture", err)
}

const capturedCols = `id, COALESCE(message_id, 0), mail_from, rcpt, raw, created_at`

func scanCaptured(r row) (*store.Captured, error) {
	var c store.Captured
	var created int64
	err := r.Scan(&c.ID, &c.MessageID, &c.From, &c.To, &c.Raw, &created)
	c.Created = time.UnixMilli(created)
	return &c, err
}

// ListOutbox pages captured copies newest first.
func (db *DB) ListOutbox(ctx context.Context, before int64, limit int) ([]*store.Captured, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rs, err := db.d.query(ctx, `SELECT `+capturedCols+` FROM outbox WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, wrap("list outbox", err)
	}
	return collect(rs, scanCaptured)
}

// GetCaptured loads one captured copy.
func (db *DB) GetCaptured(ctx context.Context, id int64) (*store.Captured, error) {
	c, err := scanCaptured(db.d.queryRow(ctx, `SELECT `+capturedCols+` FROM outbox WHERE id = $1`, id))
	return c, wrap("get captured", err)
}

// Secret returns the server's 32-byte HMAC key, made on first use; every
// node of a cluster reads the same one.
func (db *DB) Secret(ctx context.Context) ([]byte, error) {
	key := make([]byte, 32)
	rand.Read(key)
	if _, err := db.d.exec(ctx, `INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING`, key); err != nil {
		return nil, wrap("secret", err)
	}
	var v []byte
	err := db.d.queryRow(ctx, `SELECT value FROM settings WHERE key = 'secret'`).Scan(&v)
	return v, wrap("secret", err)
}
