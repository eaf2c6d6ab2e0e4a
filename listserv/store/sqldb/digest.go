package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// digestSelect joins a digest row with its member, period and person's
// format; members without a digest row get the defaults.
const digestSelect = digestCols + `FROM members m LEFT JOIN digest_members d ON d.member_id = m.id ` + digestJoins

// dueSelect is digestSelect for members with a digest row, walked from
// digest_members (the claim's order is its due index).
const dueSelect = digestCols + `FROM digest_members d JOIN members m ON m.id = d.member_id ` + digestJoins

const digestCols = `SELECT m.id, m.list_id, m.address, m.name, m.role, m.mode, m.status, m.bounce_score, m.source, m.created_at,
	COALESCE(d.hour, ld.hour, 7), COALESCE(d.weekday, ld.weekday, 1), COALESCE(d.tz, 'Europe/London'), COALESCE(d.format, ''),
	COALESCE(d.cursor_uid, 0), COALESCE(d.final_upto, 0), d.next_due, COALESCE(d.last_sent, 0),
	COALESCE(d.owner, ''), COALESCE(d.lease_until, 0),
	COALESCE(p.digest, 'daily'), COALESCE(pe.format, 'html') `

const digestJoins = `LEFT JOIN member_prefs p ON p.member_id = m.id
	LEFT JOIN people pe ON pe.address_key = m.address_key
	LEFT JOIN list_digest ld ON ld.list_id = m.list_id `

func scanDigest(r row) (*store.DigestState, error) {
	var (
		d                      store.DigestState
		m                      store.Member
		created, sent, weekday int64
		due                    sql.NullInt64
	)
	err := r.Scan(&m.ID, &m.ListID, &m.Address, &m.Name, &m.Role, &m.Mode, &m.Status, &m.BounceScore, &m.Source, &created,
		&d.Hour, &weekday, &d.Zone, &d.Format, &d.Cursor, &d.FinalUpto, &due, &sent, &d.Owner, &d.LeaseMS,
		&d.Period, &d.PersonFormat)
	if err != nil {
		return nil, err
	}
	m.Created = time.UnixMilli(created)
	d.Member, d.MemberID, d.Weekday = &m, m.ID, time.Weekday(weekday)
	d.Active = due.Valid
	if due.Valid && due.Int64 > 0 {
		d.NextDue = time.UnixMilli(due.Int64)
	}
	if sent > 0 {
		d.LastSent = time.UnixMilli(sent)
	}
	return &d, nil
}

// GetDigestState returns a member's digest row, or the defaults.
func (db *DB) GetDigestState(ctx context.Context, memberID int64) (*store.DigestState, error) {
	d, err := scanDigest(db.d.queryRow(ctx, digestSelect+`WHERE m.id = $1`, memberID))
	return d, wrap("get digest state", err)
}

// SetDigestSettings upserts the choices; an active member's due time is
// reset to 0 so the engine computes it from the new schedule.
func (db *DB) SetDigestSettings(ctx context.Context, s *store.DigestSettings) error {
	err := db.d.tx(ctx, func(q querier) error {
		var listID int64
		if err := q.queryRow(ctx, `SELECT list_id FROM members WHERE id = $1`, s.MemberID).Scan(&listID); err != nil {
			return err
		}
		_, err := q.exec(ctx, `INSERT INTO digest_members (member_id, list_id, hour, weekday, tz, format)
			VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (member_id) DO UPDATE SET hour = excluded.hour,
			weekday = excluded.weekday, tz = excluded.tz, format = excluded.format,
			next_due = CASE WHEN digest_members.next_due IS NOT NULL AND digest_members.final_upto = 0
				THEN 0 ELSE digest_members.next_due END`,
			s.MemberID, listID, s.Hour, int(s.Weekday), s.Zone, s.Format)
		return err
	})
	return wrap("set digest settings", err)
}

// ClaimDigests leases due members, like claimIDs does for queue rows: one
// ordered walk of the (next_due, member_id) index joined to members by
// key (an IN (SELECT ... FROM members) here made PostgreSQL scan the
// roster per claim). Members whose delivery is paused (disabled by
// bounces) are not claimed and their due time is cleared, so the engine,
// which sleeps until the earliest due time, never waits on a row it
// cannot claim; re-enabling sets it again (trigger
// members_digest_reenable, migration 0013).
func (db *DB) ClaimDigests(ctx context.Context, owner string, lease time.Duration, now time.Time, limit int) ([]*store.DigestState, error) {
	var out []*store.DigestState
	until := now.Add(lease).UnixMilli()
	err := db.d.tx(ctx, func(q querier) error {
		ds, err := db.dueDigests(ctx, q, now.UnixMilli(), limit)
		if err != nil || len(ds) == 0 {
			return err
		}
		// The walk read every member's state: one more statement for the
		// batch, the lease.
		ids := make([]int64, len(ds))
		for i, d := range ds {
			ids[i], d.Owner, d.LeaseMS = d.MemberID, owner, until
		}
		in, args := idList(db.ph(), ids, 2)
		if _, err := q.exec(ctx, `UPDATE digest_members SET owner = $1, lease_until = $2 WHERE member_id IN (`+in+`)`,
			append([]any{owner, until}, args...)...); err != nil {
			return err
		}
		out = ds
		return nil
	})
	return out, wrap("claim digests", err)
}

// dueDigests returns up to limit due, unleased, enabled members with
// their state, oldest due first, locked on PostgreSQL (SKIP LOCKED: other
// nodes take the next ones). Paused members met on the way lose their
// due time and the walk starts again (each pass clears at least one, so
// it ends).
func (db *DB) dueDigests(ctx context.Context, q querier, now int64, limit int) ([]*store.DigestState, error) {
	lock := ""
	if db.d.skipLocked() != "" {
		lock = " FOR UPDATE OF d SKIP LOCKED"
	}
	for {
		rs, err := q.query(ctx, dueSelect+`WHERE d.next_due IS NOT NULL AND d.next_due <= $1 AND d.lease_until < $1
			ORDER BY d.next_due, d.member_id LIMIT $2`+lock, now, limit)
		if err != nil {
			return nil, err
		}
		all, err := collect(rs, scanDigest)
		if err != nil {
			return nil, err
		}
		var ds []*store.DigestState
		var paused []int64
		for _, d := range all {
			if d.Member.Status == store.StatusEnabled {
				ds = append(ds, d)
			} else {
				paused = append(paused, d.MemberID)
			}
		}
		if len(paused) == 0 {
			return ds, nil
		}
		in, args := idList(db.ph(), paused, 0)
		if _, err := q.exec(ctx, `UPDATE digest_members SET next_due = NULL, final_upto = 0 WHERE member_id IN (`+in+`)`,
			args...); err != nil {
			return nil, err
		}
	}
}

// NextDigestDue reads the smallest due time from digest_members_due.
func (db *DB) NextDigestDue(ctx context.Context) (time.Time, bool, error) {
	var due sql.NullInt64
	err := db.d.queryRow(ctx, `SELECT MIN(next_due) FROM digest_members WHERE next_due IS NOT NULL`).Scan(&due)
	if err != nil || !due.Valid {
		return time.Time{}, false, wrap("next digest due", err)
	}
	return time.UnixMilli(due.Int64), true, nil
}

// CommitDigest is the send-once step: the cursor moves only with the mail
// queued, and only if the claim still holds and nothing changed the
// member's digest state since (fencing on owner, lease, due, final and
// the member's mode).
func (db *DB) CommitDigest(ctx context.Context, d *store.DigestState, o store.DigestOutcome) error {
	lost := false
	err := db.d.tx(ctx, func(q querier) error {
		ok, err := moveDigestCursor(ctx, q, d, o)
		if err != nil {
			return err
		}
		if lost = !ok; lost {
			return releaseDigestClaim(ctx, q, d)
		}
		return enqueueAll(ctx, q, o.Mail, time.Now())
	})
	if err == nil && lost {
		return store.ErrLeaseLost
	}
	return wrap("commit digest", err)
}

// moveDigestCursor is CommitDigest's fenced update; false when the claim
// no longer holds.
func moveDigestCursor(ctx context.Context, q querier, d *store.DigestState, o store.DigestOutcome) (bool, error) {
	n, err := q.exec(ctx, `UPDATE digest_members SET cursor_uid = $1, next_due = $2, final_upto = $3, last_sent = $4,
		owner = '', lease_until = 0
		WHERE member_id = $5 AND owner = $6 AND lease_until = $7 AND next_due = $8 AND final_upto = $9
		AND EXISTS (SELECT 1 FROM members WHERE id = $5 AND mode = $10)`, cursorMove(d, o)...)
	return n == 1, err
}

// cursorMove is the new state (cursor, next due or NULL, final, last
// sent) then the fence (member, owner, lease, claimed due, claimed
// final, mode) of one member's commit.
func cursorMove(d *store.DigestState, o store.DigestOutcome) []any {
	claimedDue := int64(0)
	if !d.NextDue.IsZero() {
		claimedDue = d.NextDue.UnixMilli()
	}
	var next any
	final := d.FinalUpto
	if !o.NextDue.IsZero() {
		next = o.NextDue.UnixMilli()
	} else {
		final = 0
	}
	sent := d.LastSent
	if !o.Sent.IsZero() {
		sent = o.Sent
	}
	var sentMS int64
	if !sent.IsZero() {
		sentMS = sent.UnixMilli()
	}
	return []any{o.Cursor, next, final, sentMS, d.MemberID, d.Owner, d.LeaseMS, claimedDue, d.FinalUpto, d.Member.Mode}
}

// releaseDigestClaim gives up a claim whose commit was fenced off (the
// member's due time or mode changed meanwhile, e.g. `digest send --now`
// made them due again): if the lease is still ours the member can be
// claimed again at once, not only when the lease runs out.
func releaseDigestClaim(ctx context.Context, q querier, d *store.DigestState) error {
	_, err := q.exec(ctx, `UPDATE digest_members SET owner = '', lease_until = 0
		WHERE member_id = $1 AND owner = $2 AND lease_until = $3`, d.MemberID, d.Owner, d.LeaseMS)
	return err
}

// DigestPosts pages through the archive by UID (messages_uid index).
func (db *DB) DigestPosts(ctx context.Context, listID, after, upto int64, limit int) ([]*store.Message, error) {
	// A post rewritten on erasure moved to a new UID (archive_expunged):
	// a member whose cursor passed its old UID had it already.
	rs, err := db.d.query(ctx, `SELECT `+messageCols+` FROM messages WHERE list_id = $1 AND uid > $2 AND uid <= $3
		AND NOT EXISTS (SELECT 1 FROM archive_expunged x WHERE x.list_id = $1 AND x.new_uid = messages.uid AND x.uid <= $2)
		ORDER BY uid LIMIT $4`, listID, after, upto, limit)
	if err != nil {
		return nil, wrap("digest posts", err)
	}
	ms, err := collect(rs, scanMessage)
	return ms, wrap("digest posts", err)
}

// LastUID is the list's newest archive UID.
func (db *DB) LastUID(ctx context.Context, listID int64) (int64, error) {
	var n int64
	err := db.d.queryRow(ctx, `SELECT uid_next - 1 FROM lists WHERE id = $1`, listID).Scan(&n)
	return n, wrap("last uid", err)
}

// DigestMembers pages through a list's active digest rows by member id.
func (db *DB) DigestMembers(ctx context.Context, listID, after int64, limit int) ([]*store.DigestState, error) {
	rs, err := db.d.query(ctx, digestSelect+`WHERE d.list_id = $1 AND d.next_due IS NOT NULL AND m.id > $2
		ORDER BY m.id LIMIT $3`, listID, after, limit)
	if err != nil {
		return nil, wrap("digest members", err)
	}
	ds, err := collect(rs, scanDigest)
	return ds, wrap("digest members", err)
}

// MakeDigestsDue brings every active digest of a list forward to at.
func (db *DB) MakeDigestsDue(ctx context.Context, listID int64, at time.Time) (int64, error) {
	n, err := db.d.exec(ctx, `UPDATE digest_members SET next_due = $1
		WHERE list_id = $2 AND next_due IS NOT NULL AND (next_due = 0 OR next_due > $1)`, at.UnixMilli(), listID)
	return n, wrap("make digests due", err)
}
