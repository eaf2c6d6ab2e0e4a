package sqldb

import (
	"context"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// UpdateMember saves a member's name, role and mode with its audit row.
func (db *DB) UpdateMember(ctx context.Context, m *store.Member, a *store.Audit) error {
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE members SET name = $1, role = $2, mode = $3 WHERE id = $4`, m.Name, m.Role, m.Mode, m.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return addAudit(ctx, q, a)
	})
	return wrap("update member", err)
}

// ListFootprint counts a list's members, pending held items and archive.
func (db *DB) ListFootprint(ctx context.Context, listID int64) (*store.ListFootprint, error) {
	var f store.ListFootprint
	err := db.d.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM members WHERE list_id = $1),
		(SELECT COUNT(*) FROM held WHERE list_id = $1 AND state = 'pending'),
		(SELECT COUNT(*) FROM messages WHERE list_id = $1 AND uid IS NOT NULL),
		(SELECT COALESCE(SUM(size), 0) FROM messages WHERE list_id = $1 AND uid IS NOT NULL)`, listID).
		Scan(&f.Members, &f.Held, &f.Posts, &f.ArchiveBytes)
	return &f, wrap("list footprint", err)
}

// removeListSQL empties a list but for its archive (messages with a uid)
// and its settings. Deleting members cascades to their retries, prefs and
// digest state; fan-outs to their chunks.
var removeListSQL = []string{
	`DELETE FROM fanouts WHERE list_id = $1`,
	`DELETE FROM held WHERE list_id = $1`,
	`DELETE FROM inbox WHERE list_id = $1`,
	`DELETE FROM members WHERE list_id = $1`,
	`DELETE FROM messages WHERE list_id = $1 AND uid IS NULL`,
}

// RemoveList stops a list, or with purge deletes it and all it holds.
func (db *DB) RemoveList(ctx context.Context, listID int64, purge bool, a *store.Audit) error {
	err := db.d.tx(ctx, func(q querier) error {
		var addr string
		// A removed list can still be purged; it cannot be removed twice.
		live := ` AND removed_at IS NULL`
		if purge {
			live = ""
		}
		if err := q.queryRow(ctx, `SELECT address FROM lists WHERE id = $1`+live+db.d.forUpdate(), listID).Scan(&addr); err != nil {
			return err
		}
		a.ListID = 0 // site-wide: the list's own audit rows may go with it
		if purge {
			if _, err := q.exec(ctx, `DELETE FROM lists WHERE id = $1`, listID); err != nil {
				return err
			}
			return addAudit(ctx, q, a)
		}
		for _, s := range removeListSQL {
			if _, err := q.exec(ctx, s, listID); err != nil {
				return err
			}
		}
		// '+' cannot be in a list's address, so the renamed row frees the
		// address for a new list and receives no mail.
		gone := fmt.Sprintf("%s+removed-%d", addr, listID)
		if _, err := q.exec(ctx, `UPDATE lists SET removed_at = $1, address = $2 WHERE id = $3`,
			time.Now().UnixMilli(), gone, listID); err != nil {
			return err
		}
		return addAudit(ctx, q, a)
	})
	return wrap("remove list", err)
}
