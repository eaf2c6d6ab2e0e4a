package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ModerationSettings returns a list's settings or the defaults.
func (db *DB) ModerationSettings(ctx context.Context, listID int64) (*store.ListModeration, error) {
	s := store.DefaultModeration(listID)
	var since, updated int64
	err := db.d.queryRow(ctx, `SELECT new_member_posts, new_member_since, max_recipients, accept_types, hold_days, updated_at
		FROM list_moderation WHERE list_id = $1`, listID).
		Scan(&s.NewMemberPosts, &since, &s.MaxRecipients, &s.AcceptTypes, &s.HoldDays, &updated)
	if errors.Is(err, store.ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return nil, wrap("moderation settings", err)
	}
	if since > 0 {
		s.NewMemberSince = time.UnixMilli(since)
	}
	s.Updated = time.UnixMilli(updated)
	return s, nil
}

// SetModerationSettings upserts a list's settings and audits the change.
func (db *DB) SetModerationSettings(ctx context.Context, s *store.ListModeration, by string) error {
	now := time.Now()
	s.Updated = now
	var since int64
	if !s.NewMemberSince.IsZero() {
		since = s.NewMemberSince.UnixMilli()
	}
	err := db.d.tx(ctx, func(q querier) error {
		if _, err := q.exec(ctx, `INSERT INTO list_moderation (list_id, new_member_posts, new_member_since, max_recipients,
			accept_types, hold_days, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7)
			ON CONFLICT (list_id) DO UPDATE SET new_member_posts = excluded.new_member_posts,
			new_member_since = excluded.new_member_since, max_recipients = excluded.max_recipients,
			accept_types = excluded.accept_types, hold_days = excluded.hold_days, updated_at = excluded.updated_at`,
			s.ListID, s.NewMemberPosts, since, s.MaxRecipients, s.AcceptTypes, s.HoldDays, now.UnixMilli()); err != nil {
			return err
		}
		return addAudit(ctx, q, &store.Audit{At: now, Actor: by, Action: "settings", ListID: s.ListID, Target: "moderation",
			Detail: fmt.Sprintf("new-member-posts=%d max-recipients=%d accept-types=%q hold-days=%d",
				s.NewMemberPosts, s.MaxRecipients, s.AcceptTypes, s.HoldDays)})
	})
	return wrap("set moderation settings", err)
}

func scanRule(r row) (*store.SenderRule, error) {
	var sr store.SenderRule
	var created int64
	err := r.Scan(&sr.ListID, &sr.Pattern, &sr.Action, &sr.By, &created)
	sr.Created = time.UnixMilli(created)
	return &sr, err
}

const ruleCols = `list_id, pattern, action, created_by, created_at`

// SenderRules lists a list's rules.
func (db *DB) SenderRules(ctx context.Context, listID int64) ([]*store.SenderRule, error) {
	rs, err := db.d.query(ctx, `SELECT `+ruleCols+` FROM sender_rules WHERE list_id = $1 ORDER BY pattern`, listID)
	if err != nil {
		return nil, wrap("sender rules", err)
	}
	return collect(rs, scanRule)
}

// MatchSenderRules looks the candidate patterns up by primary key.
func (db *DB) MatchSenderRules(ctx context.Context, listID int64, patterns []string) ([]*store.SenderRule, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	args := []any{listID}
	marks := make([]string, len(patterns))
	for i, p := range patterns {
		args = append(args, p)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	rs, err := db.d.query(ctx, `SELECT `+ruleCols+` FROM sender_rules WHERE list_id = $1 AND pattern IN (`+
		strings.Join(marks, ",")+`)`, args...)
	if err != nil {
		return nil, wrap("match sender rules", err)
	}
	return collect(rs, scanRule)
}

// SetSenderRule upserts a rule; the audit entry commits with it.
func (db *DB) SetSenderRule(ctx context.Context, r *store.SenderRule) error {
	now := time.Now()
	r.Created = now
	err := db.d.tx(ctx, func(q querier) error {
		if _, err := q.exec(ctx, `INSERT INTO sender_rules (list_id, pattern, action, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5) ON CONFLICT (list_id, pattern) DO UPDATE SET action = excluded.action,
			created_by = excluded.created_by, created_at = excluded.created_at`,
			r.ListID, r.Pattern, r.Action, r.By, now.UnixMilli()); err != nil {
			return err
		}
		return addAudit(ctx, q, &store.Audit{At: now, Actor: r.By, Action: "sender-" + r.Action, ListID: r.ListID,
			Target: "sender:" + r.Pattern})
	})
	return wrap("set sender rule", err)
}

// RemoveSenderRule deletes a rule and audits it.
func (db *DB) RemoveSenderRule(ctx context.Context, listID int64, pattern, by string) error {
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `DELETE FROM sender_rules WHERE list_id = $1 AND pattern = $2`, listID, pattern)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return addAudit(ctx, q, &store.Audit{Actor: by, Action: "sender-removed", ListID: listID, Target: "sender:" + pattern})
	})
	return wrap("remove sender rule", err)
}

// ApprovedPosts counts a sender's approved posts on a list.
func (db *DB) ApprovedPosts(ctx context.Context, listID int64, address string) (int, error) {
	var n int
	err := db.d.queryRow(ctx, `SELECT approved FROM member_moderation WHERE list_id = $1 AND address_key = $2`,
		listID, store.NormalizeAddress(address)).Scan(&n)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return n, wrap("approved posts", err)
}

// AddApprovedPost counts one more approved post.
func (db *DB) AddApprovedPost(ctx context.Context, listID int64, address string) error {
	_, err := db.d.exec(ctx, `INSERT INTO member_moderation (list_id, address_key, approved) VALUES ($1, $2, 1)
		ON CONFLICT (list_id, address_key) DO UPDATE SET approved = member_moderation.approved + 1`,
		listID, store.NormalizeAddress(address))
	return wrap("add approved post", err)
}

// ListStaff returns owners and moderators through the members_staff index.
func (db *DB) ListStaff(ctx context.Context, listID int64) ([]*store.Staff, error) {
	rs, err := db.d.query(ctx, `SELECT m.id, m.list_id, m.address, m.name, m.role, m.mode, m.status, m.bounce_score,
		m.source, m.created_at, COALESCE(p.notify, 'each') FROM members m
		LEFT JOIN moderator_prefs p ON p.list_id = m.list_id AND p.address_key = m.address_key
		WHERE m.list_id = $1 AND m.role <> 'member' ORDER BY m.id`, listID)
	if err != nil {
		return nil, wrap("list staff", err)
	}
	return collect(rs, func(r row) (*store.Staff, error) {
		var s store.Staff
		var created int64
		err := r.Scan(&s.ID, &s.ListID, &s.Address, &s.Name, &s.Role, &s.Mode, &s.Status, &s.BounceScore,
			&s.Source, &created, &s.Notify)
		s.Created = time.UnixMilli(created)
		return &s, err
	})
}

// SetStaffNotify stores a moderator's notification preference.
func (db *DB) SetStaffNotify(ctx context.Context, listID int64, address, notify string) error {
	_, err := db.d.exec(ctx, `INSERT INTO moderator_prefs (list_id, address_key, notify) VALUES ($1, $2, $3)
		ON CONFLICT (list_id, address_key) DO UPDATE SET notify = excluded.notify`,
		listID, store.NormalizeAddress(address), notify)
	return wrap("set staff notify", err)
}
