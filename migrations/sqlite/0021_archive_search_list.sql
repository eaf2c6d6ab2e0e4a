-- Nothing on SQLite: FTS5 already walks its index newest rowid first and
-- stops at the search window (PostgreSQL adds an index here).
SELECT 1;
