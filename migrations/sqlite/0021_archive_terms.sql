-- PostgreSQL splits its full-text index in two here (archive_terms);
-- SQLite's FTS5 table needs no change.
SELECT 1;
