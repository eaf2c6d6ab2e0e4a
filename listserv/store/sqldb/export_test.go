package sqldb

import (
	"context"
	"math"

	"github.com/demnet-uk/listserv/listserv/store"
)

// SearchPGWay runs a PostgreSQL search the given way (walk or bitmap),
// first page of up to limit hits, for tests that compare the two.
func (db *DB) SearchPGWay(ctx context.Context, listID int64, q store.ArchiveQuery, walk bool, limit int) ([]*store.ArchiveHit, error) {
	rs, err := db.searchPG(ctx, listID, q, store.SearchCursor{Rank: -math.MaxFloat64}, limit, &walk)
	if err != nil {
		return nil, err
	}
	return scanHits(rs)
}

// SearchPGWalks reports which way SearchArchive takes for q.
func (db *DB) SearchPGWalks(ctx context.Context, listID int64, q store.ArchiveQuery) (bool, error) {
	return db.frequentPG(ctx, listID, tsQuery(q))
}
