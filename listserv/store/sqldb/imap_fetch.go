package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Fetched looks up one message of a hosted mailbox (the primary key).
func (db *DB) Fetched(ctx context.Context, source string, uidValidity, uid uint32) (string, error) {
	var outcome string
	err := db.d.queryRow(ctx, `SELECT outcome FROM fetch_seen WHERE source = $1 AND uid_validity = $2 AND uid = $3`,
		source, int64(uidValidity), int64(uid)).Scan(&outcome)
	return outcome, wrap("fetched", err)
}

// MarkFetched records a taken message; the first outcome stays.
func (db *DB) MarkFetched(ctx context.Context, source string, uidValidity, uid uint32, outcome string) error {
	_, err := db.d.exec(ctx, `INSERT INTO fetch_seen (source, uid_validity, uid, outcome, at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (source, uid_validity, uid) DO NOTHING`,
		source, int64(uidValidity), int64(uid), outcome, time.Now().UnixMilli())
	return wrap("mark fetched", err)
}

// LastFetched is the highest UID taken under one UIDVALIDITY.
func (db *DB) LastFetched(ctx context.Context, source string, uidValidity uint32) (uint32, error) {
	var n int64
	err := db.d.queryRow(ctx, `SELECT COALESCE(MAX(uid), 0) FROM fetch_seen WHERE source = $1 AND uid_validity = $2`,
		source, int64(uidValidity)).Scan(&n)
	return uint32(n), wrap("last fetched", err)
}

// SetListFetch sets or clears the hosted mailbox a list reads.
func (db *DB) SetListFetch(ctx context.Context, listID int64, url string) error {
	var err error
	if url == "" {
		_, err = db.d.exec(ctx, `DELETE FROM list_fetch WHERE list_id = $1`, listID)
	} else {
		_, err = db.d.exec(ctx, `INSERT INTO list_fetch (list_id, url, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (list_id) DO UPDATE SET url = excluded.url, updated_at = excluded.updated_at`,
			listID, url, time.Now().UnixMilli())
	}
	return wrap("set list fetch", err)
}

// ListFetches returns the lists that read a hosted mailbox (live lists only).
func (db *DB) ListFetches(ctx context.Context) ([]*store.ListFetch, error) {
	rs, err := db.d.query(ctx, `SELECT f.list_id, f.url FROM list_fetch f JOIN lists l ON l.id = f.list_id
		WHERE l.removed_at IS NULL ORDER BY f.list_id`)
	if err != nil {
		return nil, wrap("list fetches", err)
	}
	fs, err := collect(rs, func(r row) (*store.ListFetch, error) {
		var f store.ListFetch
		return &f, r.Scan(&f.ListID, &f.URL)
	})
	return fs, wrap("list fetches", err)
}
