package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// subjectWindow is how far back the subject fallback looks for a thread.
const subjectWindow = 60 * 24 * time.Hour

// maxParents bounds the Message-IDs looked up per post.
const maxParents = 20

// ListUnindexedPosts returns archived posts the indexer has not done yet
// (messages_unindexed), oldest first.
func (db *DB) ListUnindexedPosts(ctx context.Context, limit int) ([]*store.Message, error) {
	rs, err := db.d.query(ctx, `SELECT `+messageCols+` FROM messages WHERE uid IS NOT NULL AND indexed = 0
		ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, wrap("unindexed posts", err)
	}
	ms, err := collect(rs, scanMessage)
	return ms, wrap("unindexed posts", err)
}

// IndexArchive threads and indexes posts in one transaction.
func (db *DB) IndexArchive(ctx context.Context, docs []*store.ArchiveDoc) error {
	err := db.d.tx(ctx, func(q querier) error {
		for _, d := range docs {
			if err := db.indexOne(ctx, q, d); err != nil {
				return fmt.Errorf("post %d: %w", d.MessageID, err)
			}
		}
		return nil
	})
	return wrap("index archive", err)
}

func (db *DB) indexOne(ctx context.Context, q querier, d *store.ArchiveDoc) error {
	// The conditional update claims the post: a second indexer (another
	// node) finds nothing to do.
	var thread int64
	err := q.queryRow(ctx, `UPDATE messages SET indexed = 1 WHERE id = $1 AND indexed = 0 AND uid IS NOT NULL
		RETURNING COALESCE(thread_id, 0)`, d.MessageID).Scan(&thread)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if thread == 0 { // first time: rewritten posts keep their thread and month
		var err error
		if thread, err = findThread(ctx, q, d); err != nil {
			return err
		}
		if err := joinThread(ctx, q, d, thread); err != nil {
			return err
		}
	}
	return db.putSearch(ctx, q, d)
}

// findThread picks the thread of a parent, else (for replies) a recent
// thread with the same subject, else starts one.
func findThread(ctx context.Context, q querier, d *store.ArchiveDoc) (int64, error) {
	parents := d.Parents
	if len(parents) > maxParents {
		parents = parents[:maxParents]
	}
	for _, p := range parents {
		var t int64
		// messages_message_id, whatever the planners guess: no ORDER BY
		// (PostgreSQL walked the primary key for it) and +list_id (SQLite
		// scanned the list through messages_uid).
		err := q.queryRow(ctx, `SELECT thread_id FROM messages WHERE message_id = $1 AND +list_id = $2
			AND uid IS NOT NULL AND thread_id IS NOT NULL LIMIT 1`, p, d.ListID).Scan(&t)
		if err == nil {
			return t, nil
		}
		if !isNotFound(err) {
			return 0, err
		}
	}
	if (d.Reply || len(d.Parents) > 0) && d.SubjectKey != "" {
		var t int64
		err := q.queryRow(ctx, `SELECT id FROM archive_threads WHERE list_id = $1 AND subject_key = $2 AND last_at >= $3
			ORDER BY last_at DESC LIMIT 1`, d.ListID, d.SubjectKey, d.Received.Add(-subjectWindow).UnixMilli()).Scan(&t)
		if err == nil {
			return t, nil
		}
		if !isNotFound(err) {
			return 0, err
		}
	}
	var t int64
	at := d.Received.UnixMilli()
	err := q.queryRow(ctx, `INSERT INTO archive_threads (list_id, root_id, subject, subject_key, posts, first_at, last_at)
		VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id`, d.ListID, d.MessageID, cleanText(d.Subject), d.SubjectKey, at).Scan(&t)
	return t, err
}

// joinThread files the post in its thread and month.
func joinThread(ctx context.Context, q querier, d *store.ArchiveDoc, thread int64) error {
	at := d.Received.UnixMilli()
	if _, err := q.exec(ctx, `UPDATE messages SET thread_id = $1 WHERE id = $2`, thread, d.MessageID); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `UPDATE archive_threads SET posts = posts + 1,
		last_at = CASE WHEN last_at > $1 THEN last_at ELSE $1 END,
		first_at = CASE WHEN first_at < $1 THEN first_at ELSE $1 END WHERE id = $2`, at, thread); err != nil {
		return err
	}
	u := d.Received.UTC()
	month := u.Year()*100 + int(u.Month())
	_, err := q.exec(ctx, `INSERT INTO archive_months (list_id, month, posts) VALUES ($1, $2, 1)
		ON CONFLICT (list_id, month) DO UPDATE SET posts = archive_months.posts + 1`, d.ListID, month)
	return err
}

// maxIndexText bounds what one post puts in the index (PostgreSQL's
// tsvector holds at most 1 MB).
const maxIndexText = 256 << 10

// putSearch replaces the post's full-text entry.
func (db *DB) putSearch(ctx context.Context, q querier, d *store.ArchiveDoc) error {
	subject, author, body := cleanText(d.Subject), cleanText(d.Author), cleanText(d.Body)
	if len(body) > maxIndexText {
		body = strings.ToValidUTF8(body[:maxIndexText], "")
	}
	// A post rewritten on erasure lost its entry then (rewriteArchived).
	if db.d.name() == "postgres" {
		// archive_terms gets the lexemes without positions (see
		// archive_search_pg.go); deleting the archive_search row cascades.
		_, err := q.exec(ctx, `WITH s AS (INSERT INTO archive_search (message_id, list_id, doc) VALUES ($1, $2,
			setweight(to_tsvector('english', $3), 'A') || setweight(to_tsvector('english', $4), 'B') ||
			setweight(to_tsvector('english', $5), 'D')) RETURNING message_id, list_id, doc)
			INSERT INTO archive_terms (message_id, list_id, words) SELECT message_id, list_id, strip(doc) FROM s`,
			d.MessageID, d.ListID, subject, author, body)
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO archive_search (rowid, list, subject, author, body) VALUES ($1, $2, $3, $4, $5)`,
		d.MessageID, listToken(d.ListID), subject, author, body)
	return err
}

func (db *DB) deleteSearch(ctx context.Context, q querier, messageID int64) error {
	s := `DELETE FROM archive_search WHERE rowid = $1`
	if db.d.name() == "postgres" {
		s = `DELETE FROM archive_search WHERE message_id = $1`
	}
	_, err := q.exec(ctx, s, messageID)
	return err
}

// listToken is the FTS5 "list" column's value for a list.
func listToken(listID int64) string { return fmt.Sprintf("l%d", listID) }

// cleanText makes text storable in both databases: valid UTF-8, no NUL.
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
