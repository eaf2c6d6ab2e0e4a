package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// inList renders "$first,$first+1,..." for n values.
func inList(first, n int) string {
	marks := make([]string, n)
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", first+i)
	}
	return strings.Join(marks, ",")
}

// ListQueue pages pending items by id (keyset), then fetches the defer
// notes of that page only, so a page costs the same however long the queue.
func (db *DB) ListQueue(ctx context.Context, listIDs []int64, after int64, limit int) ([]*store.QueueItem, error) {
	if len(listIDs) == 0 {
		return nil, nil
	}
	args := []any{after, store.ReasonRuleReject, limit}
	for _, id := range listIDs {
		args = append(args, id)
	}
	rs, err := db.d.query(ctx, heldSelect+`WHERE h.state = 'pending' AND h.id > $1 AND h.reason <> $2
		AND h.list_id IN (`+inList(4, len(listIDs))+`) ORDER BY h.id LIMIT $3`, args...)
	if err != nil {
		return nil, wrap("list queue", err)
	}
	hs, err := collect(rs, scanHeld)
	if err != nil || len(hs) == 0 {
		return nil, err
	}
	out := make([]*store.QueueItem, len(hs))
	byID := map[int64]*store.QueueItem{}
	ids := make([]any, len(hs))
	for i, h := range hs {
		out[i] = &store.QueueItem{Held: *h}
		byID[h.ID] = out[i]
		ids[i] = h.ID
	}
	nrs, err := db.d.query(ctx, `SELECT held_id, note, by_addr, at FROM held_notes WHERE held_id IN (`+inList(1, len(ids))+`)`, ids...)
	if err != nil {
		return nil, wrap("list queue notes", err)
	}
	notes, err := collect(nrs, scanNote)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		byID[n.HeldID].Deferred = n
	}
	return out, nil
}

func scanNote(r row) (*store.HeldNote, error) {
	var n store.HeldNote
	var at int64
	err := r.Scan(&n.HeldID, &n.Note, &n.By, &at)
	n.At = time.UnixMilli(at)
	return &n, err
}

// HeldNote returns an item's defer note.
func (db *DB) HeldNote(ctx context.Context, heldID int64) (*store.HeldNote, error) {
	n, err := scanNote(db.d.queryRow(ctx, `SELECT held_id, note, by_addr, at FROM held_notes WHERE held_id = $1`, heldID))
	if err != nil {
		return nil, wrap("held note", err)
	}
	return n, nil
}

// DeferHeld records a defer note on a pending item, audited in the same
// transaction; the state check and the write are one statement.
func (db *DB) DeferHeld(ctx context.Context, heldID int64, by, note string) error {
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		var listID int64
		var state string
		if err := q.queryRow(ctx, `SELECT list_id, state FROM held WHERE id = $1`+db.d.forUpdate(), heldID).
			Scan(&listID, &state); err != nil {
			return err
		}
		if state != "pending" {
			return store.ErrAlreadyHandled
		}
		if _, err := q.exec(ctx, `INSERT INTO held_notes (held_id, note, by_addr, at) VALUES ($1,$2,$3,$4)
			ON CONFLICT (held_id) DO UPDATE SET note = excluded.note, by_addr = excluded.by_addr, at = excluded.at`,
			heldID, note, by, now.UnixMilli()); err != nil {
			return err
		}
		return addAudit(ctx, q, &store.Audit{At: now, Actor: by, Action: "deferred", ListID: listID,
			Target: fmt.Sprintf("held:%d", heldID), Detail: note})
	})
	return wrap("defer held", err)
}

const day = int64(24 * time.Hour / time.Millisecond)

// ExpiredHeld finds pending items older than their list's hold_days
// (0 means never). Only items at least a day old are looked at, which the
// held_pending_age index answers.
func (db *DB) ExpiredHeld(ctx context.Context, now time.Time, limit int) ([]*store.Held, error) {
	ms := now.UnixMilli()
	rs, err := db.d.query(ctx, heldSelect+`LEFT JOIN list_moderation s ON s.list_id = h.list_id
		WHERE h.state = 'pending' AND h.created_at < $1 AND COALESCE(s.hold_days, $2) > 0
		AND h.created_at < $3 - COALESCE(s.hold_days, $2) * CAST($4 AS BIGINT) ORDER BY h.id LIMIT $5`,
		ms-day, store.DefaultHoldDays, ms, day, limit)
	if err != nil {
		return nil, wrap("expired held", err)
	}
	return collect(rs, scanHeld)
}

// PendingLists counts what waits per list.
func (db *DB) PendingLists(ctx context.Context) ([]*store.PendingCount, error) {
	rs, err := db.d.query(ctx, `SELECT list_id, COUNT(*), MIN(created_at) FROM held
		WHERE state = 'pending' AND reason <> $1 GROUP BY list_id ORDER BY list_id`, store.ReasonRuleReject)
	if err != nil {
		return nil, wrap("pending lists", err)
	}
	return collect(rs, func(r row) (*store.PendingCount, error) {
		var p store.PendingCount
		var oldest int64
		err := r.Scan(&p.ListID, &p.Count, &oldest)
		p.Oldest = time.UnixMilli(oldest)
		return &p, err
	})
}
