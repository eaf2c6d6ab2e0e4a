package sqldb

import (
	"context"
	"errors"
	"math"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Full-text search: FTS5 with bm25 on SQLite, a GIN-indexed tsvector
// with ts_rank on PostgreSQL (archive_search_pg.go). Ranks are
// normalised so lower is better on both, and pages continue after
// (rank, id) of the last hit.

const archiveColsM = `m.id, m.list_id, COALESCE(m.uid, 0), COALESCE(m.thread_id, 0), m.from_name, m.from_addr, m.subject,
	m.message_id, m.in_reply_to, m.sent_at, m.received_at, m.size`

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// SearchArchive returns ranked hits of one list.
func (db *DB) SearchArchive(ctx context.Context, listID int64, q store.ArchiveQuery, after store.SearchCursor, limit int) ([]*store.ArchiveHit, error) {
	if !hasPositive(q) {
		return nil, store.ErrBadQuery
	}
	if after.ID == 0 {
		after.Rank = -math.MaxFloat64
	}
	var rs rows
	var err error
	if db.d.name() == "postgres" {
		rs, err = db.searchPG(ctx, listID, q, after, limit, nil)
	} else {
		rs, err = db.d.query(ctx, searchSQLite, listID, ftsQuery(listID, q), after.Rank, after.ID, limit, searchWindow)
	}
	if err != nil {
		return nil, wrap("search archive", err)
	}
	return scanHits(rs)
}

func scanHits(rs rows) ([]*store.ArchiveHit, error) {
	scan := scanArchivePost(false)
	return collect(rs, func(r row) (*store.ArchiveHit, error) {
		h := &store.ArchiveHit{}
		p, err := scan(rankRow{r, &h.Rank})
		h.Post = p
		return h, err
	})
}

// rankRow scans the post's columns and then the rank.
type rankRow struct {
	row
	rank *float64
}

func (r rankRow) Scan(dest ...any) error { return r.row.Scan(append(dest, r.rank)...) }

// searchWindow is how many of the newest matches a search ranks. Ranking
// every match of a frequent word costs time in proportion to the archive
// (bm25 and ts_rank read each matching document); the newest matches are
// found in index order and stop at the window, so a search costs the same
// at 10,000 and 1,000,000 posts.
const searchWindow = 2000

// $1 list, $2 query, $3/$4 cursor, $5 limit, $6 window. On SQLite the
// list is in the MATCH expression (list column); FTS5 walks its index
// newest rowid first for ORDER BY rowid DESC and stops at the window.
// CROSS JOIN fixes the join order in SQLite: the window first, then one
// primary-key lookup per hit (the planner otherwise may scan the list's
// posts and probe the window).
const searchSQLite = `SELECT ` + archiveColsM + `, s.r FROM (
	SELECT rowid AS id, bm25(archive_search, 0.0, 10.0, 5.0, 1.0) AS r FROM archive_search
	WHERE archive_search MATCH $2 ORDER BY rowid DESC LIMIT $6
	) s CROSS JOIN messages m ON m.id = s.id
	WHERE m.list_id = $1 AND m.uid IS NOT NULL AND (s.r > $3 OR (s.r = $3 AND s.id > $4))
	ORDER BY s.r, s.id LIMIT $5`

// SearchArchiveAll returns every match in post id order.
func (db *DB) SearchArchiveAll(ctx context.Context, listID int64, q store.ArchiveQuery, afterID int64, limit int) ([]*store.ArchivePost, error) {
	if !hasPositive(q) {
		return nil, store.ErrBadQuery
	}
	var rs rows
	var err error
	if db.d.name() == "postgres" {
		rs, err = db.searchAllPG(ctx, listID, q, afterID, limit)
	} else {
		rs, err = db.d.query(ctx, searchAllSQLite, listID, ftsQuery(listID, q), afterID, limit)
	}
	if err != nil {
		return nil, wrap("search archive (all)", err)
	}
	return collect(rs, scanArchivePost(false))
}

const searchAllSQLite = `SELECT ` + archiveColsM + ` FROM (
	SELECT rowid AS id FROM archive_search WHERE archive_search MATCH $2 AND rowid > $3 ORDER BY rowid LIMIT $4
	) s CROSS JOIN messages m ON m.id = s.id WHERE m.list_id = $1 AND m.uid IS NOT NULL ORDER BY s.id`

func hasPositive(q store.ArchiveQuery) bool {
	for _, t := range q.Terms {
		if !t.Not && len(t.Words) > 0 {
			return true
		}
	}
	return false
}

// ftsQuery writes q in FTS5 syntax. Words are letters and digits only
// (store.SearchTerm), so quoting them is enough to keep them literal.
func ftsQuery(listID int64, q store.ArchiveQuery) string {
	var pos, neg []string
	for _, t := range q.Terms {
		if len(t.Words) == 0 {
			continue
		}
		p := `"` + strings.Join(t.Words, " ") + `"`
		if t.Prefix {
			p += "*"
		}
		if t.Not {
			neg = append(neg, p)
		} else {
			pos = append(pos, p)
		}
	}
	expr := "(" + strings.Join(pos, " AND ") + ")"
	for _, n := range neg {
		expr += " NOT " + n
	}
	cols := "{subject author body}"
	switch q.Field {
	case "subject", "author", "body":
		cols = "{" + q.Field + "}"
	}
	return `list : "` + listToken(listID) + `" AND (` + cols + ` : (` + expr + `))`
}
