package sqldb

import "context"

// SearchSpans exposes the PostgreSQL search window's span walk with a
// small window and first span, so tests cross spans with few posts.
func (db *DB) SearchSpans(ctx context.Context, listID int64, tsq string, window, first int) ([]int64, error) {
	return db.searchSpans(ctx, listID, tsq, window, first)
}
