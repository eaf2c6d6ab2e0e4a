package sqldb

import (
	"context"
	"errors"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// PutDKIMKey stores a new key; the primary key (domain, selector) makes a
// reused selector ErrExists.
func (db *DB) PutDKIMKey(ctx context.Context, k *store.DKIMKey) error {
	if k.Created.IsZero() {
		k.Created = time.Now()
	}
	n, err := db.d.exec(ctx, `INSERT INTO dkim_keys (domain, selector, algorithm, private_pem, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (domain, selector) DO NOTHING`,
		k.Domain, k.Selector, k.Algorithm, string(k.PrivatePEM), k.Created.UnixMilli())
	if err != nil {
		return wrap("put dkim key", err)
	}
	if n == 0 {
		return store.ErrExists
	}
	return nil
}

// DKIMKeys are the domain's keys, newest first.
func (db *DB) DKIMKeys(ctx context.Context, domain string) ([]*store.DKIMKey, error) {
	rs, err := db.d.query(ctx, `SELECT domain, selector, algorithm, private_pem, created_at FROM dkim_keys
		WHERE domain = $1 ORDER BY created_at DESC, selector`, domain)
	if err != nil {
		return nil, wrap("dkim keys", err)
	}
	return collect(rs, func(r row) (*store.DKIMKey, error) {
		k := &store.DKIMKey{}
		var pemText string
		var created int64
		err := r.Scan(&k.Domain, &k.Selector, &k.Algorithm, &pemText, &created)
		k.PrivatePEM, k.Created = []byte(pemText), time.UnixMilli(created)
		return k, err
	})
}

// ListDeliverability returns the list's settings or the defaults.
func (db *DB) ListDeliverability(ctx context.Context, listID int64) (*store.ListDeliverability, error) {
	d := store.DefaultDeliverability(listID)
	var always, remove int
	err := db.d.queryRow(ctx, `SELECT dmarc_action, dmarc_always, remove_after_warnings
		FROM list_deliverability WHERE list_id = $1`, listID).Scan(&d.DMARCAction, &always, &remove)
	if errors.Is(err, store.ErrNotFound) {
		return d, nil
	}
	d.DMARCAlways, d.RemoveAfterWarnings = always == 1, remove == 1
	return d, wrap("list deliverability", err)
}

// SetListDeliverability upserts the list's settings.
func (db *DB) SetListDeliverability(ctx context.Context, d *store.ListDeliverability) error {
	_, err := db.d.exec(ctx, `INSERT INTO list_deliverability (list_id, dmarc_action, dmarc_always, remove_after_warnings)
		VALUES ($1, $2, $3, $4) ON CONFLICT (list_id) DO UPDATE SET dmarc_action = excluded.dmarc_action,
		dmarc_always = excluded.dmarc_always, remove_after_warnings = excluded.remove_after_warnings`,
		d.ListID, d.DMARCAction, b2i(d.DMARCAlways), b2i(d.RemoveAfterWarnings))
	return wrap("set list deliverability", err)
}

// StartBounceWarnings upserts the member's schedule from zero warnings.
func (db *DB) StartBounceWarnings(ctx context.Context, memberID, listID int64, next time.Time) error {
	_, err := db.d.exec(ctx, `INSERT INTO bounce_warnings (member_id, list_id, warnings, next_at) VALUES ($1, $2, 0, $3)
		ON CONFLICT (member_id) DO UPDATE SET warnings = 0, next_at = excluded.next_at`, memberID, listID, next.UnixMilli())
	return wrap("start bounce warnings", err)
}

// DueBounceWarnings lists due rows by the next_at index.
func (db *DB) DueBounceWarnings(ctx context.Context, now time.Time, limit int) ([]*store.BounceWarning, error) {
	rs, err := db.d.query(ctx, `SELECT member_id, list_id, warnings, next_at FROM bounce_warnings
		WHERE next_at <= $1 ORDER BY next_at, member_id LIMIT $2`, now.UnixMilli(), limit)
	if err != nil {
		return nil, wrap("due bounce warnings", err)
	}
	return collect(rs, func(r row) (*store.BounceWarning, error) {
		w := &store.BounceWarning{}
		var next int64
		err := r.Scan(&w.MemberID, &w.ListID, &w.Warnings, &next)
		w.NextAt = time.UnixMilli(next)
		return w, err
	})
}

// SetBounceWarning records progress.
func (db *DB) SetBounceWarning(ctx context.Context, memberID int64, warnings int, next time.Time) error {
	_, err := db.d.exec(ctx, `UPDATE bounce_warnings SET warnings = $1, next_at = $2 WHERE member_id = $3`,
		warnings, next.UnixMilli(), memberID)
	return wrap("set bounce warning", err)
}

// EndBounceWarnings deletes the member's row.
func (db *DB) EndBounceWarnings(ctx context.Context, memberID int64) error {
	_, err := db.d.exec(ctx, `DELETE FROM bounce_warnings WHERE member_id = $1`, memberID)
	return wrap("end bounce warnings", err)
}
