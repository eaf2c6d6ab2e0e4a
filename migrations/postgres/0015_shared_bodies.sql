-- See migrations/sqlite/0015_shared_bodies.sql: digests share one stored
-- body; the queues' claim order gets an index of its own.
CREATE TABLE mail_bodies (
    id         BIGSERIAL PRIMARY KEY,
    hash       BYTEA NOT NULL UNIQUE,
    body       BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
ALTER TABLE mailq ADD COLUMN body_id BIGINT REFERENCES mail_bodies(id);
CREATE INDEX mailq_body ON mailq (body_id);

DROP INDEX mailq_due;
CREATE INDEX mailq_due ON mailq (next_attempt, id);
DROP INDEX retries_due;
CREATE INDEX retries_due ON retries (next_attempt, id);

DROP INDEX digest_members_due;
CREATE INDEX digest_members_due ON digest_members (next_due, member_id) WHERE next_due IS NOT NULL;
