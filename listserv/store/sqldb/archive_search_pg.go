package sqldb

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Full-text search on PostgreSQL (migration 0021) keeps each post's
// lexemes twice:
//   - archive_search.doc, the ranked tsvector (positions and weights),
//     kept inline in its row (toast_tuple_target), so checking or ranking
//     a post reads one heap page and no TOAST;
//   - archive_terms.words, the same lexemes without positions, GIN
//     indexed, in rows of about 100 bytes (the pad column makes
//     PostgreSQL move the tsvector to TOAST): the bitmap of a word's
//     matches reads a heap of 10 MB per 100,000 posts, not 200 MB.
//
// A search ranks the newest searchWindow matches, found one of two ways:
//   - walk: archive_search newest first, checking each document, until
//     the window is full; cheap when many posts match (few rows per hit);
//   - bitmap: every candidate from archive_terms' GIN bitmap, newest
//     first, each checked against the full query (phrases, fields,
//     -words) in archive_search until the window is full; cheap when few
//     posts match.
//
// The planner cannot choose between them (it costs @@ as a cheap
// operator and picks the walk for words in a few percent of posts, which
// then reads tens of thousands of rows), so the store counts matches
// among the list's newest probeRows posts and chooses. The SQL functions
// archive_newest and archive_matches (migration 0021) run each way with
// sequential scans off, and LATERAL ... OFFSET 0 keeps the planner from
// reordering the joins.
const (
	probeRows = 200
	// walkFrom is how many matches among probeRows make walking the
	// cheaper way: a word in 12 % of recent posts (at 100,000 posts the
	// two ways cost the same between 10 and 15 %).
	walkFrom = 24
)

// searchPG runs a ranked search: $1 list, $2 query, $3/$4 cursor, $5
// limit, $6 window; the bitmap also takes $7 the candidate query and $8
// whether it is the query itself. Unprepared (pgx.QueryExecModeExec) so
// the plan sees the words. walk, when not nil, chooses the way (tests);
// nil probes.
func (db *DB) searchPG(ctx context.Context, listID int64, q store.ArchiveQuery, after store.SearchCursor, limit int, walk *bool) (rows, error) {
	full := tsQuery(q)
	if walk == nil {
		frequent, err := db.frequentPG(ctx, listID, full)
		if err != nil {
			return nil, err
		}
		walk = &frequent
	}
	args := []any{pgx.QueryExecModeExec, listID, full, after.Rank, after.ID, limit, searchWindow}
	sql := searchWalkPG
	if !*walk {
		// When the candidates are exactly the matches (no phrase, field
		// or -word), archive_search need not check them again.
		sql, args = searchBitmapPG, append(args, tsMatchQuery(q), matchIsExact(q))
	}
	return db.d.query(ctx, sql, args...)
}

// frequentPG reports whether at least walkFrom of the list's newest
// probeRows posts match.
func (db *DB) frequentPG(ctx context.Context, listID int64, tsq string) (bool, error) {
	var n int
	err := db.d.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT a.doc FROM archive_search a WHERE a.list_id = $1
		ORDER BY a.message_id DESC LIMIT $3) p WHERE p.doc @@ to_tsquery('english', $2)`, listID, tsq, probeRows).Scan(&n)
	return n >= walkFrom, err
}

// searchRankedPG orders the window w (id, r) best rank first after the
// cursor and joins the page's posts; the LATERAL join keeps the sorted order so the
// LIMIT stops after the page, reading only its messages rows.
const searchRankedPG = `) w WHERE w.r > $3::float8 OR (w.r = $3::float8 AND w.id > $4::bigint) ORDER BY w.r, w.id) s
	CROSS JOIN LATERAL (SELECT ` + archiveColsM + ` FROM messages m WHERE m.id = s.id AND m.uid IS NOT NULL OFFSET 0) m
	ORDER BY s.r, s.id LIMIT $5`

const searchWalkPG = `SELECT m.*, s.r FROM (SELECT w.id, w.r FROM (
	SELECT id, r FROM archive_newest($1, to_tsquery('english', $2), $6)` + searchRankedPG

const searchBitmapPG = `SELECT m.*, s.r FROM (SELECT w.id, w.r FROM (
	SELECT c.id, a.r FROM (
		SELECT id FROM archive_matches($1, to_tsquery('english', $7)) id ORDER BY id DESC) c
	CROSS JOIN LATERAL (SELECT -ts_rank(a.doc, to_tsquery('english', $2))::float8 AS r FROM archive_search a
		WHERE a.message_id = c.id AND ($8::boolean OR a.doc @@ to_tsquery('english', $2)) OFFSET 0) a
	ORDER BY c.id DESC LIMIT $6` + searchRankedPG

// searchAllPG returns every match in id order (IMAP SEARCH), a page at
// a time, the same two ways: for a frequent word the walk (oldest first,
// a page costs its rows), else the bitmap (every candidate each page,
// but there are few).
func (db *DB) searchAllPG(ctx context.Context, listID int64, q store.ArchiveQuery, afterID int64, limit int) (rows, error) {
	full := tsQuery(q)
	walk, err := db.frequentPG(ctx, listID, full)
	if err != nil {
		return nil, err
	}
	if walk {
		return db.d.query(ctx, searchAllWalkPG, listID, full, afterID, limit)
	}
	return db.d.query(ctx, searchAllBitmapPG, listID, full, afterID, limit, tsMatchQuery(q))
}

// $1 list, $2 query, $3 after id, $4 limit; the bitmap also $5 the
// candidate query.
const searchAllWalkPG = `SELECT ` + archiveColsM + ` FROM archive_search a JOIN messages m ON m.id = a.message_id
	WHERE a.list_id = $1 AND a.doc @@ to_tsquery('english', $2) AND a.message_id > $3 AND m.uid IS NOT NULL
	ORDER BY a.message_id LIMIT $4`

const searchAllBitmapPG = `SELECT m.* FROM (
	SELECT id FROM archive_matches($1, to_tsquery('english', $5)) id WHERE id > $3 ORDER BY id) c
	CROSS JOIN LATERAL (SELECT 1 FROM archive_search a
		WHERE a.message_id = c.id AND a.doc @@ to_tsquery('english', $2) OFFSET 0) a
	CROSS JOIN LATERAL (SELECT ` + archiveColsM + ` FROM messages m WHERE m.id = c.id AND m.uid IS NOT NULL OFFSET 0) m
	ORDER BY c.id LIMIT $4`

// tsQuery writes q for to_tsquery: words quoted, phrases with <->, a
// field as a weight label (subject A, author B, body D).
func tsQuery(q store.ArchiveQuery) string {
	weight := fieldWeight(q.Field)
	var parts []string
	for _, t := range q.Terms {
		if len(t.Words) == 0 {
			continue
		}
		ws := make([]string, len(t.Words))
		for i, w := range t.Words {
			label := weight
			if t.Prefix && i == len(t.Words)-1 {
				label = "*" + weight
			}
			ws[i] = tsWord(w)
			if label != "" {
				ws[i] += ":" + label
			}
		}
		p := "(" + strings.Join(ws, " <-> ") + ")"
		if t.Not {
			p = "!" + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " & ")
}

// tsMatchQuery writes what archive_terms can answer from its GIN index
// alone (no positions or weights there, and no recheck of the heap):
// every word of every positive term, a phrase as its words, no field,
// no -words. It matches a superset of tsQuery(q); archive_search then
// checks the full query.
func tsMatchQuery(q store.ArchiveQuery) string {
	var ws []string
	for _, t := range q.Terms {
		if t.Not {
			continue
		}
		for i, w := range t.Words {
			if t.Prefix && i == len(t.Words)-1 {
				w = tsWord(w) + ":*"
			} else {
				w = tsWord(w)
			}
			ws = append(ws, w)
		}
	}
	return strings.Join(ws, " & ")
}

// matchIsExact reports whether tsMatchQuery(q) matches exactly what
// tsQuery(q) does: all words anywhere, no phrase and no -word.
func matchIsExact(q store.ArchiveQuery) bool {
	if fieldWeight(q.Field) != "" {
		return false
	}
	for _, t := range q.Terms {
		if len(t.Words) > 1 || t.Not && len(t.Words) > 0 {
			return false
		}
	}
	return true
}

// fieldWeight is the tsvector weight label of a field ("": all fields).
func fieldWeight(field string) string {
	return map[string]string{"subject": "A", "author": "B", "body": "D"}[field]
}

func tsWord(w string) string { return "'" + strings.ReplaceAll(w, "'", "''") + "'" }
