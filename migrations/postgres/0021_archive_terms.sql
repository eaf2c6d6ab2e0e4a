-- Faster full-text search on PostgreSQL (see listserv/store/sqldb/
-- archive_search_pg.go): the ranked tsvector stays inline in its row,
-- and a narrow GIN-indexed table answers which posts hold the words.

-- archive_search again, its documents inline up to a page (PostgreSQL
-- otherwise moves any row over 2 KB to TOAST, a second lookup per post
-- checked or ranked). Rebuilt, not altered, so existing rows move back
-- inline; its GIN index moves to archive_terms.
CREATE TABLE archive_search_new (
    message_id BIGINT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    list_id    BIGINT NOT NULL,
    doc        TSVECTOR NOT NULL
) WITH (toast_tuple_target = 8160);
INSERT INTO archive_search_new (message_id, list_id, doc)
    SELECT message_id, list_id, doc FROM archive_search ORDER BY message_id;
DROP TABLE archive_search;
ALTER TABLE archive_search_new RENAME TO archive_search;
ALTER INDEX archive_search_new_pkey RENAME TO archive_search_pkey;
ALTER TABLE archive_search RENAME CONSTRAINT archive_search_new_message_id_fkey TO archive_search_message_id_fkey;
-- A list's posts newest first: the walk for frequent words.
CREATE INDEX archive_search_list ON archive_search (list_id, message_id);

-- The lexemes without positions, for matching only. pad (2,100 spaces,
-- compressed to about 40 bytes) puts every row over the 2 KB at which
-- PostgreSQL starts moving values out of line, and toast_tuple_target
-- then moves words out too: a row is about 100 bytes, so the GIN
-- bitmap's heap reads stay small.
CREATE TABLE archive_terms (
    message_id BIGINT PRIMARY KEY REFERENCES archive_search(message_id) ON DELETE CASCADE,
    list_id    BIGINT NOT NULL,
    words      TSVECTOR NOT NULL,
    pad        TEXT NOT NULL DEFAULT repeat(' ', 2100)
) WITH (toast_tuple_target = 128);
INSERT INTO archive_terms (message_id, list_id, words)
    SELECT message_id, list_id, strip(doc) FROM archive_search ORDER BY message_id;
CREATE INDEX archive_terms_words ON archive_terms USING GIN (words);
ANALYZE archive_search;
ANALYZE archive_terms;

-- The two ways a search finds its newest matches. The planner costs @@
-- as a cheap operator, so given the choice it reads and checks every
-- row of archive_terms (de-TOASTing each) or of archive_search for
-- words it thinks are frequent or rare; enable_seqscan is off inside
-- these functions, leaving it the GIN index (archive_matches: every
-- post holding the query's words) and the list's index newest first
-- (archive_newest: the newest n matches, ranked).
CREATE FUNCTION archive_matches(list BIGINT, q TSQUERY) RETURNS SETOF BIGINT
    LANGUAGE sql STABLE SET enable_seqscan = off
    AS $$ SELECT message_id FROM archive_terms WHERE list_id = list AND words @@ q $$;
CREATE FUNCTION archive_newest(list BIGINT, q TSQUERY, n BIGINT) RETURNS TABLE (id BIGINT, r FLOAT8)
    LANGUAGE sql STABLE SET enable_seqscan = off
    AS $$ SELECT message_id, -ts_rank(doc, q)::float8 FROM archive_search
        WHERE list_id = list AND doc @@ q ORDER BY message_id DESC LIMIT n $$;
