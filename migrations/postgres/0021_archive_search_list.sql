-- The search's window is found in spans of a list's newest posts
-- (listserv/store/sqldb/archive_search_pg.go): each span's lower bound is
-- read from this index, and a span bounds what any plan of the match
-- query reads.
CREATE INDEX archive_search_list ON archive_search (list_id, message_id);
