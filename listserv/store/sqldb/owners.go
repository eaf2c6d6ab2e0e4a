package sqldb

import (
	"context"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// SaveListSettings updates the list row and the digest defaults with the
// audit row in one transaction.
func (db *DB) SaveListSettings(ctx context.Context, l *store.List, d *store.ListDigest, a *store.Audit) error {
	setListDefaults(l)
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE lists SET name=$1, description=$2, policy=$3, archive=$4,
			subject_prefix=$5, reply_to=$6, max_size=$7, footer=$8 WHERE id=$9 AND removed_at IS NULL`,
			l.Name, l.Description, l.Policy, l.Archive, l.SubjectPrefix, l.ReplyTo, l.MaxSize, l.Footer, l.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		if d != nil {
			if _, err := q.exec(ctx, `INSERT INTO list_digest (list_id, hour, weekday, max_posts, max_bytes) VALUES ($1,$2,$3,$4,$5)
				ON CONFLICT (list_id) DO UPDATE SET hour = excluded.hour, weekday = excluded.weekday,
				max_posts = excluded.max_posts, max_bytes = excluded.max_bytes`,
				l.ID, d.Hour, int(d.Weekday), d.MaxPosts, d.MaxBytes); err != nil {
				return err
			}
		}
		return addAudit(ctx, q, a)
	})
	return wrap("save list settings", err)
}

// AddMembersAudited adds members and the audit row in one transaction;
// the row's Detail gets the counts appended.
func (db *DB) AddMembersAudited(ctx context.Context, listID int64, ms []store.NewMember, a *store.Audit) (added, skipped int, err error) {
	now := time.Now().UnixMilli()
	detail := a.Detail
	err = db.d.tx(ctx, func(q querier) error {
		n, err := db.d.copyMembers(ctx, q, listID, ms, now)
		if err != nil {
			return err
		}
		added = n
		a.Detail = fmt.Sprintf("%s (%d added, %d already members)", detail, n, len(ms)-n)
		return addAudit(ctx, q, a)
	})
	return added, len(ms) - added, wrap("add members", err)
}

// RemoveMemberAudited deletes the member with its consent and audit rows.
func (db *DB) RemoveMemberAudited(ctx context.Context, memberID int64, c *store.Consent, a *store.Audit) (*store.Member, error) {
	var mem *store.Member
	err := db.d.tx(ctx, func(q querier) error {
		var err error
		mem, err = scanMember(q.queryRow(ctx, `SELECT `+memberCols+` FROM members WHERE id = $1`+db.d.forUpdate(), memberID))
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `DELETE FROM members WHERE id = $1`, memberID); err != nil {
			return err
		}
		c.Address, c.ListID = mem.Address, mem.ListID
		if err := addConsent(ctx, q, c); err != nil {
			return err
		}
		return addAudit(ctx, q, a)
	})
	return mem, wrap("remove member", err)
}

// EnableMemberAudited clears a member's bounces and enables delivery.
func (db *DB) EnableMemberAudited(ctx context.Context, memberID int64, a *store.Audit) (*store.Member, error) {
	var m *store.Member
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE members SET status = $1, bounce_score = 0 WHERE id = $2`, store.StatusEnabled, memberID)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		if _, err := q.exec(ctx, `DELETE FROM bounce_events WHERE member_id = $1`, memberID); err != nil {
			return err
		}
		if m, err = scanMember(q.queryRow(ctx, `SELECT `+memberCols+` FROM members WHERE id = $1`, memberID)); err != nil {
			return err
		}
		return addAudit(ctx, q, a)
	})
	return m, wrap("enable member", err)
}

// prefixEnd is the least string above every string starting with p.
func prefixEnd(p string) string { return p + "\U0010FFFF" }

// collateC makes PostgreSQL compare bytes, as its search indexes do
// (0020_owners_admins.sql); SQLite's BINARY already does.
func (db *DB) collateC() string {
	if db.d.name() == "postgres" {
		return ` COLLATE "C"`
	}
	return ""
}

// SearchMembers is one keyset page of the members page.
func (db *DB) SearchMembers(ctx context.Context, listID int64, mq store.MemberQuery) ([]*store.Member, error) {
	c := db.collateC()
	hi := prefixEnd(mq.Prefix)
	var rs rows
	var err error
	if mq.ByName {
		// Names that start with the prefix, leaving out members whose
		// address matched already (they were on the address pages).
		rs, err = db.d.query(ctx, `SELECT `+memberCols+` FROM members WHERE list_id = $1
			AND lower(name)`+c+` >= $2 AND lower(name)`+c+` < $3
			AND (lower(name)`+c+` > $4 OR (lower(name)`+c+` = $4 AND id > $5))
			AND NOT (address_key`+c+` >= $2 AND address_key`+c+` < $3)
			ORDER BY lower(name)`+c+`, id LIMIT $6`,
			listID, mq.Prefix, hi, mq.AfterKey, mq.AfterID, mq.Limit)
	} else {
		rs, err = db.d.query(ctx, `SELECT `+memberCols+` FROM members WHERE list_id = $1
			AND address_key`+c+` >= $2 AND address_key`+c+` < $3 AND address_key`+c+` > $4
			ORDER BY address_key`+c+` LIMIT $5`, listID, mq.Prefix, hi, mq.AfterKey, mq.Limit)
	}
	if err != nil {
		return nil, wrap("search members", err)
	}
	return collect(rs, scanMember)
}

// CountMemberModes counts members by mode and status.
func (db *DB) CountMemberModes(ctx context.Context, listID int64) ([]*store.ModeCount, error) {
	rs, err := db.d.query(ctx, `SELECT mode, status, COUNT(*) FROM members WHERE list_id = $1
		GROUP BY mode, status ORDER BY mode, status`, listID)
	if err != nil {
		return nil, wrap("count member modes", err)
	}
	return collect(rs, func(r row) (*store.ModeCount, error) {
		var mc store.ModeCount
		return &mc, r.Scan(&mc.Mode, &mc.Status, &mc.N)
	})
}
