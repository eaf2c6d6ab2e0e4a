package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// AddConsent records one piece of consent evidence.
func (db *DB) AddConsent(ctx context.Context, c *store.Consent) error {
	return wrap("add consent", addConsent(ctx, db.d, c))
}

func addConsent(ctx context.Context, q querier, c *store.Consent) error {
	if c.At.IsZero() {
		c.At = time.Now()
	}
	var list any
	if c.ListID != 0 {
		list = c.ListID
		if c.ListAddress == "" {
			if err := q.queryRow(ctx, `SELECT address FROM lists WHERE id = $1`, c.ListID).Scan(&c.ListAddress); err != nil {
				return err
			}
		}
	}
	return q.queryRow(ctx, `INSERT INTO consent (address_key, list_id, list_address, action, how, origin, detail, at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, store.NormalizeAddress(c.Address), list, c.ListAddress,
		c.Action, c.How, c.Origin, c.Detail, c.At.UnixMilli()).Scan(&c.ID)
}

// ListConsent returns an address's evidence, oldest first.
func (db *DB) ListConsent(ctx context.Context, address string) ([]*store.Consent, error) {
	rs, err := db.d.query(ctx, `SELECT id, address_key, COALESCE(list_id, 0), list_address, action, how, origin, detail, at
		FROM consent WHERE address_key = $1 ORDER BY id`, store.NormalizeAddress(address))
	if err != nil {
		return nil, wrap("list consent", err)
	}
	return collect(rs, func(r row) (*store.Consent, error) {
		var c store.Consent
		var at int64
		err := r.Scan(&c.ID, &c.Address, &c.ListID, &c.ListAddress, &c.Action, &c.How, &c.Origin, &c.Detail, &at)
		c.At = time.UnixMilli(at)
		return &c, err
	})
}

// PostsBy pages through the messages whose From was address.
func (db *DB) PostsBy(ctx context.Context, address string, after int64, limit int) ([]*store.PostMeta, error) {
	rs, err := db.d.query(ctx, `SELECT id, list_id, subject, message_id, state, received_at FROM messages
		WHERE from_addr = $1 AND id > $2 ORDER BY id LIMIT $3`, store.NormalizeAddress(address), after, limit)
	if err != nil {
		return nil, wrap("posts by", err)
	}
	return collect(rs, func(r row) (*store.PostMeta, error) {
		var p store.PostMeta
		var at int64
		err := r.Scan(&p.ID, &p.ListID, &p.Subject, &p.MessageID, &p.State, &at)
		p.Received = time.UnixMilli(at)
		return &p, err
	})
}

// AnonymisePost stores the rewritten message of an erased author; an
// archived post gets a new UID (see rewriteArchived in archive_erase.go).
func (db *DB) AnonymisePost(ctx context.Context, messageID int64, raw []byte, name string) error {
	return wrap("anonymise post", db.rewriteArchived(ctx, messageID, raw, name))
}

// EraseAddress deletes everything kept about an address except what the
// lists' archive policies keep (messages are handled by AnonymisePost).
func (db *DB) EraseAddress(ctx context.Context, address string) (int, error) {
	key := store.NormalizeAddress(address)
	var lists int
	err := db.d.tx(ctx, func(q querier) error {
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM members WHERE address_key = $1`, key).Scan(&lists); err != nil {
			return err
		}
		for _, s := range []string{
			`DELETE FROM failures WHERE member_id IN (SELECT id FROM members WHERE address_key = $1)`,
			`DELETE FROM members WHERE address_key = $1`,
			`DELETE FROM people WHERE address_key = $1`,
			`DELETE FROM consent WHERE address_key = $1`,
			`DELETE FROM sub_tokens WHERE address_key = $1`,
			`DELETE FROM login_tokens WHERE address = $1`,
			`DELETE FROM sessions WHERE address = $1`,
			`DELETE FROM held WHERE kind = 'subscription' AND state = 'pending' AND from_addr = $1`,
			`DELETE FROM inbox WHERE state <> 'new' AND LOWER(envelope_from) = $1`,
			`DELETE FROM app_passwords WHERE address = $1`,
			`DELETE FROM imap_flags WHERE address = $1`,
		} {
			if _, err := q.exec(ctx, s, key); err != nil {
				return err
			}
		}
		return nil
	})
	return lists, wrap("erase address", err)
}

// ChangeAddress moves what belongs to one address to another. Where both
// are on a list, the new address's membership stays.
func (db *DB) ChangeAddress(ctx context.Context, from, to string) error {
	fk, tk := store.NormalizeAddress(from), store.NormalizeAddress(to)
	to = strings.TrimSpace(to)
	err := db.d.tx(ctx, func(q querier) error {
		for _, s := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM members WHERE address_key = $1 AND list_id IN (SELECT list_id FROM members WHERE address_key = $2)`, []any{fk, tk}},
			{`UPDATE members SET address = $1, address_key = $2 WHERE address_key = $3`, []any{to, tk, fk}},
			{`DELETE FROM people WHERE address_key = $1 AND EXISTS (SELECT 1 FROM people WHERE address_key = $2)`, []any{fk, tk}},
			{`UPDATE people SET address = $1, address_key = $2 WHERE address_key = $3`, []any{to, tk, fk}},
			{`UPDATE consent SET address_key = $1 WHERE address_key = $2`, []any{tk, fk}},
			{`UPDATE sessions SET address = $1 WHERE address = $2`, []any{tk, fk}},
			// The posts are the person's too: their export and erasure
			// find them by from_addr (the stored bytes are not changed).
			{`UPDATE messages SET from_addr = $1 WHERE from_addr = $2`, []any{tk, fk}},
		} {
			if _, err := q.exec(ctx, s.sql, s.args...); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("change address", err)
}

// ApprovedSubscriptions finds approved requests still to be welcomed.
func (db *DB) ApprovedSubscriptions(ctx context.Context, since time.Time) ([]*store.Held, error) {
	rs, err := db.d.query(ctx, `SELECT h.id FROM held h WHERE h.kind = 'subscription' AND h.state = 'approved'
		AND h.handled_at >= $1 AND NOT EXISTS (SELECT 1 FROM consent c WHERE c.address_key = h.from_addr
		AND c.list_id = h.list_id AND c.action = 'approved' AND c.at >= h.created_at) ORDER BY h.id`, since.UnixMilli())
	if err != nil {
		return nil, wrap("approved subscriptions", err)
	}
	ids, err := collect(rs, func(r row) (int64, error) { var id int64; return id, r.Scan(&id) })
	if err != nil {
		return nil, err
	}
	out := make([]*store.Held, 0, len(ids))
	for _, id := range ids {
		h, err := db.GetHeld(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}
