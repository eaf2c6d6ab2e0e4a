package sqldb

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// The archive is the messages a list distributed: rows with a uid. Every
// listing below walks an index in keyset order (messages_archived,
// messages_thread, archive_threads_recent) and stops at the limit.

const archiveCols = `id, list_id, COALESCE(uid, 0), COALESCE(thread_id, 0), from_name, from_addr, subject,
	message_id, in_reply_to, sent_at, received_at, size`

func scanArchivePost(withRaw bool) func(r row) (*store.ArchivePost, error) {
	return func(r row) (*store.ArchivePost, error) {
		var p store.ArchivePost
		var sent, recv int64
		dest := []any{&p.ID, &p.ListID, &p.UID, &p.ThreadID, &p.FromName, &p.FromAddr, &p.Subject,
			&p.MessageID, &p.InReplyTo, &sent, &recv, &p.Size}
		if withRaw {
			dest = append(dest, &p.Raw)
		}
		if err := r.Scan(dest...); err != nil {
			return nil, err
		}
		p.SentAt, p.Received = time.UnixMilli(sent), time.UnixMilli(recv)
		return &p, nil
	}
}

// GetArchivedPost loads one post of a list's archive by UID, with its bytes.
func (db *DB) GetArchivedPost(ctx context.Context, listID, uid int64) (*store.ArchivePost, error) {
	p, err := scanArchivePost(true)(db.d.queryRow(ctx, `SELECT `+archiveCols+`, raw FROM messages
		WHERE list_id = $1 AND uid = $2`, listID, uid))
	return p, wrap("archived post", err)
}

// FindArchiveUID finds a post of the list by Message-ID
// through messages_message_id (a list keeps a Message-ID once; +list_id
// keeps SQLite off messages_uid, and no ORDER BY keeps PostgreSQL off the
// primary key).
func (db *DB) FindArchiveUID(ctx context.Context, listID int64, messageID string) (int64, error) {
	var uid int64
	err := db.d.queryRow(ctx, `SELECT uid FROM messages WHERE message_id = $1 AND +list_id = $2 AND uid IS NOT NULL
		LIMIT 1`, messageID, listID).Scan(&uid)
	return uid, wrap("archive uid by message-id", err)
}

// FindMovedUID tells where an expunged UID's post went.
func (db *DB) FindMovedUID(ctx context.Context, listID, uid int64) (int64, error) {
	var n int64
	err := db.d.queryRow(ctx, `SELECT new_uid FROM archive_expunged WHERE list_id = $1 AND uid = $2`, listID, uid).Scan(&n)
	return n, wrap("archive moved uid", err)
}

// ListExpungedUIDs reads archive_expunged (erasures only: a short list).
func (db *DB) ListExpungedUIDs(ctx context.Context, listID int64, since time.Time) ([]store.ExpungedUID, error) {
	rs, err := db.d.query(ctx, `SELECT uid, new_uid, at FROM archive_expunged WHERE list_id = $1 AND at >= $2
		ORDER BY at, uid`, listID, since.UnixMilli())
	if err != nil {
		return nil, wrap("expunged uids", err)
	}
	return collect(rs, func(r row) (store.ExpungedUID, error) {
		var e store.ExpungedUID
		var at int64
		err := r.Scan(&e.UID, &e.NewUID, &at)
		e.At = time.UnixMilli(at)
		return e, err
	})
}

// ListArchivePosts pages through a list's posts by (received_at, id).
// The plain bound on received_at beside the keyset's OR is what lets both
// planners start the index range at the key (an OR alone is not a range).
func (db *DB) ListArchivePosts(ctx context.Context, p store.ArchivePage) ([]*store.ArchivePost, error) {
	cols, order, cmp, bound := archiveCols, "ASC", ">", ">="
	if p.Raw {
		cols += ", raw"
	}
	if p.Desc {
		order, cmp, bound = "DESC", "<", "<="
	}
	from, to := int64(0), int64(1)<<62
	if !p.From.IsZero() {
		from = p.From.UnixMilli()
	}
	if !p.To.IsZero() {
		to = p.To.UnixMilli()
	}
	keyAt, keyID := p.After.At.UnixMilli(), p.After.ID
	if p.After.IsZero() {
		keyAt, keyID = from-1, 0
		if p.Desc {
			keyAt = to
		}
	}
	q := `SELECT ` + cols + ` FROM messages WHERE list_id = $1 AND uid IS NOT NULL
		AND received_at >= $2 AND received_at < $3
		AND received_at ` + bound + ` $4 AND (received_at ` + cmp + ` $4 OR (received_at = $4 AND id ` + cmp + ` $5))
		ORDER BY received_at ` + order + `, id ` + order + ` LIMIT $6`
	rs, err := db.d.query(ctx, q, p.ListID, from, to, keyAt, keyID, p.Limit)
	if err != nil {
		return nil, wrap("archive posts", err)
	}
	return collect(rs, scanArchivePost(p.Raw))
}

// ListArchiveMonths reads the per-month counters, newest first.
func (db *DB) ListArchiveMonths(ctx context.Context, listID int64) ([]store.ArchiveMonth, error) {
	rs, err := db.d.query(ctx, `SELECT month, posts FROM archive_months WHERE list_id = $1 AND posts > 0
		ORDER BY month DESC`, listID)
	if err != nil {
		return nil, wrap("archive months", err)
	}
	return collect(rs, func(r row) (store.ArchiveMonth, error) {
		var ym int
		var m store.ArchiveMonth
		err := r.Scan(&ym, &m.Posts)
		m.Year, m.Month = ym/100, time.Month(ym%100)
		return m, err
	})
}

const threadCols = `id, list_id, root_id, subject, posts, first_at, last_at`

func scanThread(r row) (*store.ArchiveThread, error) {
	var t store.ArchiveThread
	var first, last int64
	if err := r.Scan(&t.ID, &t.ListID, &t.RootID, &t.Subject, &t.Posts, &first, &last); err != nil {
		return nil, err
	}
	t.First, t.Last = time.UnixMilli(first), time.UnixMilli(last)
	return &t, nil
}

// ListArchiveThreads pages through threads by latest post, newest first
// (archive_threads_recent).
func (db *DB) ListArchiveThreads(ctx context.Context, listID int64, before store.ArchiveKey, limit int) ([]*store.ArchiveThread, error) {
	at, id := before.At.UnixMilli(), before.ID
	if before.IsZero() {
		at, id = int64(1)<<62, 0
	}
	rs, err := db.d.query(ctx, `SELECT `+threadCols+` FROM archive_threads WHERE list_id = $1
		AND last_at <= $2 AND (last_at < $2 OR (last_at = $2 AND id < $3)) ORDER BY last_at DESC, id DESC LIMIT $4`,
		listID, at, id, limit)
	if err != nil {
		return nil, wrap("archive threads", err)
	}
	return collect(rs, scanThread)
}

// GetArchiveThread loads one thread.
func (db *DB) GetArchiveThread(ctx context.Context, id int64) (*store.ArchiveThread, error) {
	t, err := scanThread(db.d.queryRow(ctx, `SELECT `+threadCols+` FROM archive_threads WHERE id = $1`, id))
	return t, wrap("archive thread", err)
}

// ListThreadPosts pages through a thread by arrival (messages_thread).
func (db *DB) ListThreadPosts(ctx context.Context, threadID int64, after store.ArchiveKey, limit int) ([]*store.ArchivePost, error) {
	at, id := after.At.UnixMilli(), after.ID
	if after.IsZero() {
		at, id = -1, 0
	}
	rs, err := db.d.query(ctx, `SELECT `+archiveCols+` FROM messages WHERE thread_id = $1 AND uid IS NOT NULL
		AND received_at >= $2 AND (received_at > $2 OR (received_at = $2 AND id > $3)) ORDER BY received_at, id LIMIT $4`,
		threadID, at, id, limit)
	if err != nil {
		return nil, wrap("thread posts", err)
	}
	return collect(rs, scanArchivePost(false))
}
