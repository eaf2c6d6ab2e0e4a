-- Bulk mail from the server's own queue (digests) shares one stored body:
-- a mailq row with body_id holds only its own header fields in raw, and
-- the message is raw followed by the body. Bodies are stored once by
-- content (hash = SHA-256 of body); an unused one is swept after a while.
CREATE TABLE mail_bodies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    hash       BLOB NOT NULL UNIQUE,
    body       BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
ALTER TABLE mailq ADD COLUMN body_id BIGINT REFERENCES mail_bodies(id);
-- The foreign key's lookup when a body is swept (a plain index: SQLite
-- does not use a partial one for it).
CREATE INDEX mailq_body ON mailq (body_id);

-- Claims read the queue in (next_attempt, id) order: with the index on
-- next_attempt alone, every claim sorted all due rows (10,000 digests
-- queued at one instant) to find the first few.
DROP INDEX mailq_due;
CREATE INDEX mailq_due ON mailq (next_attempt, id);
DROP INDEX retries_due;
CREATE INDEX retries_due ON retries (next_attempt, id);

-- Digest claims likewise read (next_due, member_id) in order.
DROP INDEX digest_members_due;
CREATE INDEX digest_members_due ON digest_members (next_due, member_id) WHERE next_due IS NOT NULL;
