package sqldb

import (
	"context"
	"strconv"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ArchiveStatus counts a list's archive (messages_uid index) and reads
// its next UID.
func (db *DB) ArchiveStatus(ctx context.Context, listID int64) (*store.ArchiveStatus, error) {
	var st store.ArchiveStatus
	err := db.d.queryRow(ctx, `SELECT l.uid_next,
		(SELECT COUNT(*) FROM messages WHERE list_id = l.id AND uid IS NOT NULL),
		(SELECT COALESCE(SUM(size), 0) FROM messages WHERE list_id = l.id AND uid IS NOT NULL)
		FROM lists l WHERE l.id = $1`, listID).Scan(&st.UIDNext, &st.Count, &st.Size)
	return &st, wrap("archive status", err)
}

// ArchiveUIDs pages through the archive's UIDs (messages_uid index).
func (db *DB) ArchiveUIDs(ctx context.Context, listID, after int64, limit int) ([]int64, error) {
	rs, err := db.d.query(ctx, `SELECT uid FROM messages WHERE list_id = $1 AND uid > $2 ORDER BY uid LIMIT $3`,
		listID, after, limit)
	if err != nil {
		return nil, wrap("archive uids", err)
	}
	uids, err := collect(rs, func(r row) (int64, error) { var u int64; return u, r.Scan(&u) })
	return uids, wrap("archive uids", err)
}

// metaCols are messageCols without the raw bytes (NULL scans as nil).
const metaCols = `id, list_id, envelope_from, from_addr, from_name, subject, message_id, in_reply_to, refs,
	sent_at, size, NULL, state, reason, COALESCE(uid, 0), received_at`

// ArchiveMessages loads posts by UID in batches of IN lists.
func (db *DB) ArchiveMessages(ctx context.Context, listID int64, uids []int64, raw bool) ([]*store.Message, error) {
	cols := metaCols
	if raw {
		cols = messageCols
	}
	const batch = 500
	var out []*store.Message
	for len(uids) > 0 {
		n := min(len(uids), batch)
		args := make([]any, 0, n+1)
		args = append(args, listID)
		var in strings.Builder
		for i, u := range uids[:n] {
			if i > 0 {
				in.WriteByte(',')
			}
			in.WriteString("$" + strconv.Itoa(i+2))
			args = append(args, u)
		}
		rs, err := db.d.query(ctx, `SELECT `+cols+` FROM messages WHERE list_id = $1 AND uid IN (`+in.String()+`) ORDER BY uid`, args...)
		if err != nil {
			return nil, wrap("archive messages", err)
		}
		ms, err := collect(rs, scanMessage)
		if err != nil {
			return nil, wrap("archive messages", err)
		}
		out = append(out, ms...)
		uids = uids[n:]
	}
	return out, nil
}

// SearchUIDs narrows by the indexed fields in SQL; the list's archive
// is the starting set (messages_uid index), so it costs one pass.
func (db *DB) SearchUIDs(ctx context.Context, listID int64, f store.ArchiveFilter) ([]int64, error) {
	q := `SELECT uid FROM messages WHERE list_id = $1 AND uid IS NOT NULL`
	args := []any{listID}
	add := func(cond string, v any) {
		args = append(args, v)
		q += " AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)))
	}
	if f.From != "" {
		p := likePattern(f.From)
		args = append(args, p)
		n := "$" + strconv.Itoa(len(args))
		q += " AND (LOWER(from_addr) LIKE " + n + " ESCAPE '\\' OR LOWER(from_name) LIKE " + n + " ESCAPE '\\')"
	}
	if f.Subject != "" {
		add(`LOWER(subject) LIKE ? ESCAPE '\'`, likePattern(f.Subject))
	}
	if !f.Since.IsZero() {
		add("received_at >= ?", f.Since.UnixMilli())
	}
	if !f.Before.IsZero() {
		add("received_at < ?", f.Before.UnixMilli())
	}
	if !f.SentSince.IsZero() {
		add("sent_at >= ?", f.SentSince.UnixMilli())
	}
	if !f.SentBefore.IsZero() {
		add("sent_at < ?", f.SentBefore.UnixMilli())
	}
	if f.Larger > 0 {
		add("size > ?", f.Larger)
	}
	if f.Smaller > 0 {
		add("size < ?", f.Smaller)
	}
	rs, err := db.d.query(ctx, q+" ORDER BY uid", args...)
	if err != nil {
		return nil, wrap("search archive", err)
	}
	uids, err := collect(rs, func(r row) (int64, error) { var u int64; return u, r.Scan(&u) })
	return uids, wrap("search archive", err)
}

// likePattern is %s% for a case-insensitive LIKE, with s's own % _ and \
// escaped.
func likePattern(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
	return "%" + s + "%"
}
