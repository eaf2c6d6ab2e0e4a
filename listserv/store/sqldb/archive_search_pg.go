package sqldb

import (
	"context"
	"math"

	"github.com/jackc/pgx/v5"
)

// PostgreSQL finds a search's window (the list's newest searchWindow
// matches) span by span of the list's posts, newest first, rather than
// in one query. In one query the planner either walks the primary key
// backwards, checking each post's ~2 KB tsvector until the window is
// full, or reads every match's heap row through the GIN bitmap; for a
// word in a few percent of the posts both read most of the table (111 ms
// at the 99th percentile on 100,000 posts). A span bounds what either
// plan reads: the first span holds enough posts for a common word, and
// each further one, four times larger, is only reached by rarer words,
// whose matches the GIN bitmap reads cheaply.
const (
	spanFirst  = 4 * searchWindow
	spanGrowth = 4
)

// The span's lower bound: the id before the list's span newest posts at
// or below $2, 0 when the span reaches the list's first post.
const spanStartPG = `SELECT COALESCE((SELECT message_id FROM archive_search WHERE list_id = $1 AND message_id <= $2
	ORDER BY message_id DESC OFFSET $3 LIMIT 1), 0)`

// The span's newest matches. It runs unprepared (pgx.QueryExecModeExec):
// the plan depends on the words and the span's bounds.
const spanMatchPG = `SELECT message_id FROM archive_search
	WHERE list_id = $1 AND message_id > $3 AND message_id <= $4 AND doc @@ to_tsquery('english', $2)
	ORDER BY message_id DESC LIMIT $5`

// searchWindowPG returns the ids of the list's newest searchWindow
// matches of the tsquery, newest first.
func (db *DB) searchWindowPG(ctx context.Context, listID int64, tsq string) ([]int64, error) {
	ids := make([]int64, 0, searchWindow)
	hi := int64(math.MaxInt64)
	for span := spanFirst; len(ids) < searchWindow; span *= spanGrowth {
		var lo int64
		if err := db.d.queryRow(ctx, spanStartPG, listID, hi, span).Scan(&lo); err != nil {
			return nil, wrap("search archive (span)", err)
		}
		rs, err := db.d.query(ctx, spanMatchPG, pgx.QueryExecModeExec, listID, tsq, lo, hi, searchWindow-len(ids))
		if err != nil {
			return nil, wrap("search archive (window)", err)
		}
		got, err := collect(rs, func(r row) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if err != nil {
			return nil, wrap("search archive (window)", err)
		}
		ids = append(ids, got...)
		if lo == 0 {
			break
		}
		hi = lo
	}
	return ids, nil
}

// searchSQLPG ranks the window: ts_rank reads the window's documents
// only. $1 list, $2 query, $3/$4 cursor, $5 limit, $6 the window's ids.
const searchSQLPG = `SELECT ` + archiveColsM + `, s.r FROM (
	SELECT d.message_id AS id, -ts_rank(d.doc, to_tsquery('english', $2))::float8 AS r
	FROM archive_search d WHERE d.message_id = ANY($6::bigint[]) AND d.list_id = $1
	) s JOIN messages m ON m.id = s.id
	WHERE m.uid IS NOT NULL AND (s.r > $3::float8 OR (s.r = $3::float8 AND s.id > $4::bigint))
	ORDER BY s.r, s.id LIMIT $5`
