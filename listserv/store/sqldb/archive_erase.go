package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// rewriteArchived replaces an erased author's message. IMAP promises that
// a UID always names the same bytes (RFC 9051 2.3.1.1), so an archived
// post moves to a new UID and the old one is recorded as expunged (with
// where it went, for permalinks); the indexer then re-indexes it.
func (db *DB) rewriteArchived(ctx context.Context, messageID int64, raw []byte, name string) error {
	return db.d.tx(ctx, func(q querier) error {
		var listID, uid int64
		err := q.queryRow(ctx, `SELECT list_id, COALESCE(uid, 0) FROM messages WHERE id = $1`+db.d.forUpdate(), messageID).
			Scan(&listID, &uid)
		if err != nil {
			return err
		}
		newUID := any(nil)
		if uid != 0 {
			n, err := allocUID(ctx, q, listID)
			if err != nil {
				return err
			}
			newUID = n
			if _, err := q.exec(ctx, `INSERT INTO archive_expunged (list_id, uid, new_uid, at) VALUES ($1, $2, $3, $4)`,
				listID, uid, n, time.Now().UnixMilli()); err != nil {
				return err
			}
			if err := db.deleteSearch(ctx, q, messageID); err != nil {
				return err
			}
		}
		n, err := q.exec(ctx, `UPDATE messages SET raw = $1, size = $2, from_addr = '', from_name = $3, envelope_from = '',
			uid = $4, indexed = 0 WHERE id = $5`, raw, int64(len(raw)), name, newUID, messageID)
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	})
}
