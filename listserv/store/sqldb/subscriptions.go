package sqldb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// GetListAccess returns a list's joining rules, or the defaults.
func (db *DB) GetListAccess(ctx context.Context, listID int64) (*store.ListAccess, error) {
	a := store.DefaultListAccess(listID)
	err := db.d.queryRow(ctx, `SELECT visibility, join_rule, erasure FROM list_access WHERE list_id = $1`, listID).
		Scan(&a.Visibility, &a.Join, &a.Erasure)
	if errors.Is(err, store.ErrNotFound) {
		err = nil
	}
	return a, wrap("get list access", err)
}

// SetListAccess saves a list's joining rules; the audit entry (as by)
// commits with them.
func (db *DB) SetListAccess(ctx context.Context, a *store.ListAccess, by string) error {
	err := db.d.tx(ctx, func(q querier) error {
		_, err := q.exec(ctx, `INSERT INTO list_access (list_id, visibility, join_rule, erasure) VALUES ($1,$2,$3,$4)
		ON CONFLICT (list_id) DO UPDATE SET visibility = excluded.visibility, join_rule = excluded.join_rule,
		erasure = excluded.erasure`, a.ListID, a.Visibility, a.Join, a.Erasure)
		if err != nil {
			return err
		}
		return addAudit(ctx, q, &store.Audit{Actor: by, Action: "joining", ListID: a.ListID,
			Target: fmt.Sprintf("list:%d", a.ListID), Detail: a.Visibility + ", " + a.Join + ", " + a.Erasure})
	})
	return wrap("set list access", err)
}

// ListSummaries counts members (the members unique index) and archived
// posts (messages_archived) per list; no roster is read.
func (db *DB) ListSummaries(ctx context.Context, listID int64, since time.Time) ([]*store.ListSummary, error) {
	var ls []*store.List
	var err error
	if listID == 0 {
		ls, err = db.AllLists(ctx)
	} else {
		var l *store.List
		l, err = db.GetListByID(ctx, listID)
		ls = []*store.List{l}
	}
	if err != nil {
		return nil, err
	}
	rs, err := db.d.query(ctx, `SELECT l.id, COALESCE(a.visibility, 'public'), COALESCE(a.join_rule, 'confirm'),
		COALESCE(a.erasure, 'anonymise'),
		(SELECT COUNT(*) FROM members m WHERE m.list_id = l.id),
		(SELECT COUNT(*) FROM messages g WHERE g.list_id = l.id AND g.uid IS NOT NULL AND g.received_at >= $1),
		(SELECT COALESCE(MAX(g.received_at), 0) FROM messages g WHERE g.list_id = l.id AND g.uid IS NOT NULL)
		FROM lists l LEFT JOIN list_access a ON a.list_id = l.id WHERE CAST($2 AS BIGINT) = 0 OR l.id = $2`, since.UnixMilli(), listID)
	if err != nil {
		return nil, wrap("list summaries", err)
	}
	byID, err := collect(rs, func(r row) (*store.ListSummary, error) {
		var s store.ListSummary
		var last int64
		err := r.Scan(&s.Access.ListID, &s.Access.Visibility, &s.Access.Join, &s.Access.Erasure,
			&s.Members, &s.RecentPosts, &last)
		if last > 0 {
			s.LastPost = time.UnixMilli(last)
		}
		return &s, err
	})
	if err != nil {
		return nil, err
	}
	m := make(map[int64]*store.ListSummary, len(byID))
	for _, s := range byID {
		m[s.Access.ListID] = s
	}
	out := make([]*store.ListSummary, 0, len(ls))
	for _, l := range ls {
		if s := m[l.ID]; s != nil {
			s.List = l
			out = append(out, s)
		}
	}
	return out, nil
}

// JoinList adds one member with its consent evidence.
func (db *DB) JoinList(ctx context.Context, listID int64, m store.NewMember, c *store.Consent) (*store.Member, error) {
	var mem *store.Member
	var exists bool
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		n, err := insertMembersMultiRow(ctx, q, listID, []store.NewMember{m}, now.UnixMilli(), pgPlaceholder)
		if err != nil {
			return err
		}
		exists = n == 0
		mem, err = scanMember(q.queryRow(ctx, `SELECT `+memberCols+` FROM members WHERE list_id = $1 AND address_key = $2`,
			listID, store.NormalizeAddress(m.Address)))
		if err != nil || exists || c == nil {
			return err
		}
		c.ListID = listID
		return addConsent(ctx, q, c)
	})
	if err == nil && exists {
		err = store.ErrExists
	}
	return mem, wrap("join list", err)
}

// LeaveList removes one membership and records how it was ended.
func (db *DB) LeaveList(ctx context.Context, memberID int64, c *store.Consent) (*store.Member, error) {
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
		if c == nil {
			return nil
		}
		c.Address, c.ListID = mem.Address, mem.ListID
		return addConsent(ctx, q, c)
	})
	return mem, wrap("leave list", err)
}

// GetMemberPrefs returns a member's preferences, or the defaults.
func (db *DB) GetMemberPrefs(ctx context.Context, memberID int64) (*store.MemberPrefs, error) {
	p := store.DefaultMemberPrefs(memberID)
	var until int64
	var own int
	err := db.d.queryRow(ctx, `SELECT digest, nomail_until, resume_mode, own_posts FROM member_prefs WHERE member_id = $1`,
		memberID).Scan(&p.Digest, &until, &p.ResumeMode, &own)
	if errors.Is(err, store.ErrNotFound) {
		return p, nil
	}
	if until > 0 {
		p.NoMailUntil = time.UnixMilli(until)
	}
	p.OwnPosts = own == 1
	return p, wrap("get member prefs", err)
}

// SetDelivery changes members.mode (what fan-out reads) and the rest of the
// preferences in one transaction.
func (db *DB) SetDelivery(ctx context.Context, memberID int64, mode string, p *store.MemberPrefs) error {
	var until int64
	if !p.NoMailUntil.IsZero() {
		until = p.NoMailUntil.UnixMilli()
	}
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE members SET mode = $1 WHERE id = $2`, mode, memberID)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		_, err = q.exec(ctx, `INSERT INTO member_prefs (member_id, digest, nomail_until, resume_mode, own_posts)
			VALUES ($1,$2,$3,$4,$5) ON CONFLICT (member_id) DO UPDATE SET digest = excluded.digest,
			nomail_until = excluded.nomail_until, resume_mode = excluded.resume_mode, own_posts = excluded.own_posts`,
			memberID, p.Digest, until, p.ResumeMode, b2i(p.OwnPosts))
		return err
	})
	return wrap("set delivery", err)
}

// ResumeNoMail puts members whose holiday has ended back on their mode.
func (db *DB) ResumeNoMail(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := db.d.tx(ctx, func(q querier) error {
		var err error
		n, err = q.exec(ctx, `UPDATE members SET mode = (SELECT p.resume_mode FROM member_prefs p WHERE p.member_id = members.id)
			WHERE mode = 'nomail' AND id IN (SELECT member_id FROM member_prefs WHERE nomail_until > 0 AND nomail_until <= $1)`,
			now.UnixMilli())
		if err != nil {
			return err
		}
		_, err = q.exec(ctx, `UPDATE member_prefs SET nomail_until = 0 WHERE nomail_until > 0 AND nomail_until <= $1`, now.UnixMilli())
		return err
	})
	return int(n), wrap("resume nomail", err)
}
