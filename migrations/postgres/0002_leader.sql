-- Leases for work that must run on one node at a time (SQLite; PostgreSQL
-- uses advisory locks but keeps the table so both schemas match).
CREATE TABLE leaders (
    name  TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until BIGINT NOT NULL
);
-- Finished fan-outs are marked done by the leader's housekeeping.
CREATE INDEX chunks_fanout ON chunks (fanout_id, state);
