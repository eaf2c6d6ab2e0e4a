package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// GetListDigest returns the list's digest defaults and its last digest
// time (the index on (list_id, last_sent) makes the MAX a lookup).
func (db *DB) GetListDigest(ctx context.Context, listID int64) (*store.ListDigest, error) {
	d := &store.ListDigest{ListID: listID}
	var weekday, last int64
	err := db.d.queryRow(ctx, `SELECT COALESCE(ld.hour, 7), COALESCE(ld.weekday, 1), COALESCE(ld.max_posts, 0),
		COALESCE(ld.max_bytes, 0), COALESCE((SELECT MAX(last_sent) FROM digest_members WHERE list_id = l.id), 0)
		FROM lists l LEFT JOIN list_digest ld ON ld.list_id = l.id WHERE l.id = $1`, listID).
		Scan(&d.Hour, &weekday, &d.MaxPosts, &d.MaxBytes, &last)
	if err != nil {
		return nil, wrap("get list digest", err)
	}
	d.Weekday = time.Weekday(weekday)
	if last > 0 {
		d.LastSent = time.UnixMilli(last)
	}
	return d, nil
}

// SetListDigest upserts the list's digest defaults.
func (db *DB) SetListDigest(ctx context.Context, d *store.ListDigest) error {
	_, err := db.d.exec(ctx, `INSERT INTO list_digest (list_id, hour, weekday, max_posts, max_bytes) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (list_id) DO UPDATE SET hour = excluded.hour, weekday = excluded.weekday,
		max_posts = excluded.max_posts, max_bytes = excluded.max_bytes`,
		d.ListID, d.Hour, int(d.Weekday), d.MaxPosts, d.MaxBytes)
	return wrap("set list digest", err)
}
