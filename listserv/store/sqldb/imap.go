package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// CreateAppPassword stores a new app password's hash.
func (db *DB) CreateAppPassword(ctx context.Context, p *store.AppPassword) error {
	p.Address = store.NormalizeAddress(p.Address)
	if p.Created.IsZero() {
		p.Created = time.Now()
	}
	err := db.d.queryRow(ctx, `INSERT INTO app_passwords (address, name, hash, created_at) VALUES ($1, $2, $3, $4)
		RETURNING id`, p.Address, p.Name, p.Hash, p.Created.UnixMilli()).Scan(&p.ID)
	return wrap("create app password", err)
}

// ListAppPasswords returns an address's app passwords, oldest first.
func (db *DB) ListAppPasswords(ctx context.Context, address string) ([]*store.AppPassword, error) {
	rs, err := db.d.query(ctx, `SELECT id, address, name, hash, created_at, last_used FROM app_passwords
		WHERE address = $1 ORDER BY id`, store.NormalizeAddress(address))
	if err != nil {
		return nil, wrap("list app passwords", err)
	}
	ps, err := collect(rs, func(r row) (*store.AppPassword, error) {
		var p store.AppPassword
		var created, used int64
		if err := r.Scan(&p.ID, &p.Address, &p.Name, &p.Hash, &created, &used); err != nil {
			return nil, err
		}
		p.Created = time.UnixMilli(created)
		if used > 0 {
			p.LastUsed = time.UnixMilli(used)
		}
		return &p, nil
	})
	return ps, wrap("list app passwords", err)
}

// DeleteAppPassword revokes one app password of address.
func (db *DB) DeleteAppPassword(ctx context.Context, address string, id int64) error {
	n, err := db.d.exec(ctx, `DELETE FROM app_passwords WHERE address = $1 AND id = $2`, store.NormalizeAddress(address), id)
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return wrap("delete app password", err)
}

// TouchAppPassword records when an app password was last used.
func (db *DB) TouchAppPassword(ctx context.Context, id int64, at time.Time) error {
	_, err := db.d.exec(ctx, `UPDATE app_passwords SET last_used = $1 WHERE id = $2`, at.UnixMilli(), id)
	return wrap("touch app password", err)
}

// IMAPFlags reads a reader's flags on a UID range (the primary key).
func (db *DB) IMAPFlags(ctx context.Context, address string, listID, from, to int64) ([]*store.IMAPFlags, error) {
	rs, err := db.d.query(ctx, `SELECT uid, seen, flagged FROM imap_flags
		WHERE address = $1 AND list_id = $2 AND uid >= $3 AND uid <= $4 ORDER BY uid`,
		store.NormalizeAddress(address), listID, from, to)
	if err != nil {
		return nil, wrap("imap flags", err)
	}
	fs, err := collect(rs, func(r row) (*store.IMAPFlags, error) {
		var f store.IMAPFlags
		var seen, flagged int64
		err := r.Scan(&f.UID, &seen, &flagged)
		f.Seen, f.Flagged = seen != 0, flagged != 0
		return &f, err
	})
	return fs, wrap("imap flags", err)
}

// SetIMAPFlags upserts (or, with no flag left, deletes) one row per post.
func (db *DB) SetIMAPFlags(ctx context.Context, address string, listID int64, fs []*store.IMAPFlags) error {
	key := store.NormalizeAddress(address)
	err := db.d.tx(ctx, func(q querier) error {
		for _, f := range fs {
			var err error
			if !f.Seen && !f.Flagged {
				_, err = q.exec(ctx, `DELETE FROM imap_flags WHERE address = $1 AND list_id = $2 AND uid = $3`, key, listID, f.UID)
			} else {
				_, err = q.exec(ctx, `INSERT INTO imap_flags (address, list_id, uid, seen, flagged) VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (address, list_id, uid) DO UPDATE SET seen = excluded.seen, flagged = excluded.flagged`,
					key, listID, f.UID, b2i(f.Seen), b2i(f.Flagged))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("set imap flags", err)
}

// CountIMAPSeen counts seen rows that still name an archived post.
func (db *DB) CountIMAPSeen(ctx context.Context, address string, listID int64) (int64, error) {
	var n int64
	err := db.d.queryRow(ctx, `SELECT COUNT(*) FROM imap_flags f JOIN messages m ON m.list_id = f.list_id AND m.uid = f.uid
		WHERE f.address = $1 AND f.list_id = $2 AND f.seen <> 0`, store.NormalizeAddress(address), listID).Scan(&n)
	return n, wrap("count imap seen", err)
}
