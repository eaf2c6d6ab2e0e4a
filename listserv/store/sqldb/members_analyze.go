package sqldb

import "context"

// analyzeAfterRows is the import size after which PostgreSQL's planner
// statistics are refreshed at once.
const analyzeAfterRows = 1000

// analyzeAfterImport refreshes PostgreSQL's statistics of the tables a
// large import grew. Until autovacuum gets to them (a minute or more
// later, never when it is off) the planner has no row counts and picks
// sequential scans of the whole roster for the by-key lookups of digest
// claims and commits: a `digest send --now` straight after importing
// 10,000 digest members scanned members and digest_members once per
// batch of 200. SQLite's planner needs no statistics for these.
func (db *DB) analyzeAfterImport(ctx context.Context, added int) error {
	if added < analyzeAfterRows || db.d.name() != "postgres" {
		return nil
	}
	_, err := db.d.exec(ctx, `ANALYZE members, digest_members`)
	return wrap("analyze after import", err)
}
